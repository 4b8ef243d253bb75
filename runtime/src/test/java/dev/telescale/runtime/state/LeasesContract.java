package dev.telescale.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The contract of {@link Leases}, run against every implementation. */
abstract class LeasesContract {
    /** Leases of "instance" one and two; in process both may be the same object. */
    abstract Leases leases();

    abstract Leases otherInstance();

    /** A TTL long enough that the test's own slowness cannot expire it by accident. */
    abstract Duration ttl();

    /** Lets {@code duration} pass for the implementation (a fake clock, or sleeping). */
    abstract void advance(Duration duration) throws InterruptedException;

    final String name = "lease-" + UUID.randomUUID();

    @Test
    void tryAcquire_freeLease_succeedsAndReportsHolder() {
        assertThat(leases().tryAcquire(name, "a", ttl())).isTrue();
        assertThat(otherInstance().holder(name)).contains("a");
    }

    @Test
    void tryAcquire_heldByOther_fails() {
        assertThat(leases().tryAcquire(name, "a", ttl())).isTrue();
        assertThat(otherInstance().tryAcquire(name, "b", ttl())).isFalse();
        assertThat(leases().holder(name)).contains("a");
    }

    @Test
    void tryAcquire_heldBySameOwner_succeedsAndExtends() throws InterruptedException {
        assertThat(leases().tryAcquire(name, "a", ttl())).isTrue();
        advance(ttl().multipliedBy(6).dividedBy(10));
        assertThat(otherInstance().tryAcquire(name, "a", ttl())).isTrue();
        advance(ttl().multipliedBy(6).dividedBy(10));
        assertThat(leases().holder(name)).contains("a");
        assertThat(leases().tryAcquire(name, "b", ttl())).isFalse();
    }

    @Test
    void tryAcquire_afterExpiry_succeedsForOther() throws InterruptedException {
        assertThat(leases().tryAcquire(name, "a", ttl())).isTrue();
        advance(ttl().plusMillis(100));
        assertThat(leases().holder(name)).isEmpty();
        assertThat(otherInstance().tryAcquire(name, "b", ttl())).isTrue();
        assertThat(leases().holder(name)).contains("b");
    }

    @Test
    void tryAcquire_contendedBy8Threads_exactlyOneWinsEachRound() throws Exception {
        int rounds = 20;
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            for (int round = 0; round < rounds; round++) {
                String contended = name + "-" + round;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> outcomes = new ArrayList<>();
                for (int thread = 0; thread < 8; thread++) {
                    Leases side = thread % 2 == 0 ? leases() : otherInstance();
                    String owner = "owner-" + thread;
                    outcomes.add(threads.submit(() -> {
                        start.await();
                        return side.tryAcquire(contended, owner, ttl());
                    }));
                }
                start.countDown();
                int winners = 0;
                for (Future<Boolean> outcome : outcomes) {
                    winners += outcome.get() ? 1 : 0;
                }
                assertThat(winners).as("winners of round %d", round).isEqualTo(1);
            }
        }
    }

    @Test
    void tryAcquire_acquireHoldReleaseBy8Threads_neverTwoHolders() throws Exception {
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger acquisitions = new AtomicInteger();
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                Leases side = thread % 2 == 0 ? leases() : otherInstance();
                String owner = "owner-" + thread;
                workers.add(threads.submit(() -> {
                    for (int attempt = 0; attempt < 60; attempt++) {
                        if (side.tryAcquire(name, owner, ttl())) {
                            acquisitions.incrementAndGet();
                            if (holders.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            Thread.onSpinWait();
                            holders.decrementAndGet();
                            side.release(name, owner);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        assertThat(overlaps).hasValue(0);
        assertThat(acquisitions.get()).isGreaterThan(1);
    }

    @Test
    void renew_byHolder_extendsExpiry() throws InterruptedException {
        assertThat(leases().tryAcquire(name, "a", ttl())).isTrue();
        advance(ttl().multipliedBy(6).dividedBy(10));
        assertThat(leases().renew(name, "a", ttl())).isTrue();
        advance(ttl().multipliedBy(6).dividedBy(10));
        assertThat(otherInstance().holder(name)).contains("a");
        assertThat(otherInstance().tryAcquire(name, "b", ttl())).isFalse();
    }

    @Test
    void renew_byNonHolder_fails() {
        assertThat(leases().tryAcquire(name, "a", ttl())).isTrue();
        assertThat(otherInstance().renew(name, "b", ttl())).isFalse();
        assertThat(leases().holder(name)).contains("a");
    }

    @Test
    void renew_freeLease_failsAndDoesNotAcquire() {
        assertThat(leases().renew(name, "a", ttl())).isFalse();
        assertThat(leases().holder(name)).isEmpty();
    }

    @Test
    void renew_afterExpiry_fails() throws InterruptedException {
        assertThat(leases().tryAcquire(name, "a", ttl())).isTrue();
        advance(ttl().plusMillis(100));
        assertThat(leases().renew(name, "a", ttl())).isFalse();
    }

    @Test
    void release_byHolder_freesLease() {
        assertThat(leases().tryAcquire(name, "a", ttl())).isTrue();
        leases().release(name, "a");
        assertThat(leases().holder(name)).isEmpty();
        assertThat(otherInstance().tryAcquire(name, "b", ttl())).isTrue();
    }

    @Test
    void release_byNonHolder_keepsLease() {
        assertThat(leases().tryAcquire(name, "a", ttl())).isTrue();
        otherInstance().release(name, "b");
        assertThat(leases().holder(name)).contains("a");
        assertThat(leases().renew(name, "a", ttl())).isTrue();
    }
}
