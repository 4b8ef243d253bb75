package dev.telescale.runtime.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Liveness and readiness. Readiness runs every registered check (database, Redis, Bot API
 * reachability...) in parallel, each on its own virtual thread, and waits for each at most its
 * own timeout and all of them together at most the total timeout (2 s by default); a check that
 * throws or does not answer in time makes the instance not ready.
 *
 * <p>A check that hangs and ignores interruption is not started again while it is still running:
 * the next {@link #ready()} waits on the same run, so a stuck dependency costs one thread per
 * check, not one per probe request. After {@link #drain(String)} (SIGTERM) the instance reports
 * not ready so load balancers stop sending it webhooks. Thread-safe.
 */
public final class Health {
    public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofSeconds(2);

    /** One check's outcome; {@code detail} is one line for people (never a stack trace). */
    public record Check(String name, boolean ok, String detail) {
    }

    /** The outcome of {@link #ready()}. */
    public record Report(boolean ready, List<Check> checks) {
        public Report {
            checks = List.copyOf(checks);
        }
    }

    private record Registered(String name, Duration timeout, Supplier<Check> check) {
    }

    /** One execution of a check; it stays in {@link #running} until the check returns. */
    private record Run(FutureTask<Check> task, Thread thread) {
    }

    private final Duration totalTimeout;
    private final List<Registered> checks = new CopyOnWriteArrayList<>();
    private final Map<String, Run> running = new ConcurrentHashMap<>();
    private volatile String drainReason;

    public Health() {
        this(DEFAULT_TOTAL_TIMEOUT);
    }

    public Health(Duration totalTimeout) {
        this.totalTimeout = totalTimeout;
    }

    /**
     * Adds a readiness check; names must be unique. The supplier answers a {@link Check} (its name
     * is replaced by {@code name}); one that throws counts as not ok, with the exception's class
     * and message as the detail.
     */
    public void register(String name, Duration timeout, Supplier<Check> check) {
        for (Registered existing : checks) {
            if (existing.name().equals(name)) {
                throw new IllegalArgumentException("a health check named " + name + " exists already");
            }
        }
        checks.add(new Registered(name, timeout, check));
    }

    /** Liveness: true while the process serves requests at all. */
    public boolean live() {
        return true;
    }

    /** From now on {@link #ready()} answers not ready, with this reason (e.g. "shutting down"). */
    public void drain(String reason) {
        drainReason = reason;
    }

    /** Runs every check; ready when there is no drain and every check is ok. */
    public Report ready() {
        long start = System.nanoTime();
        List<Registered> snapshot = List.copyOf(checks);
        List<Run> runs = new ArrayList<>(snapshot.size());
        for (Registered check : snapshot) {
            runs.add(start(check));
        }
        List<Check> results = new ArrayList<>(snapshot.size() + 1);
        String drained = drainReason;
        if (drained != null) {
            results.add(new Check("shutdown", false, drained));
        }
        for (int i = 0; i < snapshot.size(); i++) {
            Registered check = snapshot.get(i);
            long limit = Math.min(check.timeout().toNanos(), totalTimeout.toNanos());
            long remaining = limit - (System.nanoTime() - start);
            results.add(await(check, runs.get(i), remaining, limit));
        }
        boolean ready = results.stream().allMatch(Check::ok);
        return new Report(ready, results);
    }

    private Run start(Registered check) {
        return running.compute(check.name(), (name, previous) -> {
            if (previous != null && !previous.task().isDone()) {
                return previous;
            }
            FutureTask<Check> task = new FutureTask<>(check.check()::get);
            return new Run(task, Thread.ofVirtual().name("health-" + name).start(task));
        });
    }

    private static Check await(Registered check, Run run, long remainingNanos, long limitNanos) {
        try {
            Check result = run.task().get(Math.max(0, remainingNanos), TimeUnit.NANOSECONDS);
            if (result == null) {
                return new Check(check.name(), false, "the check answered nothing");
            }
            String detail = result.detail() == null || result.detail().isBlank() ? (result.ok() ? "ok" : "failed")
                    : oneLine(result.detail());
            return new Check(check.name(), result.ok(), detail);
        } catch (TimeoutException e) {
            // Interrupt, but do not cancel: the run counts as running until the check really returns.
            run.thread().interrupt();
            return new Check(check.name(), false, "no answer within " + Duration.ofNanos(limitNanos).toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String message = cause.getMessage() == null ? "" : ": " + oneLine(cause.getMessage());
            return new Check(check.name(), false, cause.getClass().getSimpleName() + message);
        } catch (CancellationException e) {
            return new Check(check.name(), false, "cancelled");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check(check.name(), false, "interrupted");
        }
    }

    private static String oneLine(String text) {
        String line = text.lines().findFirst().orElse("").strip();
        return line.length() > 200 ? line.substring(0, 197) + "..." : line;
    }
}
