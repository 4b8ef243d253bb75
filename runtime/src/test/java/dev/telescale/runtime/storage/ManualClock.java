package dev.telescale.runtime.storage;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand. Thread-safe. */
final class ManualClock implements InstantSource {
    private final AtomicLong millis;

    ManualClock(long startMillis) {
        this.millis = new AtomicLong(startMillis);
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public long millis() {
        return millis.get();
    }

    void advance(long deltaMillis) {
        millis.addAndGet(deltaMillis);
    }
}
