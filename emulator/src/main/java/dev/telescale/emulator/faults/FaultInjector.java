package dev.telescale.emulator.faults;

import java.util.SplittableRandom;

/**
 * Decides, per Bot API call and per webhook delivery, which fault (if any) happens. Seeded, so a
 * single-threaded sequence of calls sees the same faults on every run. Thread-safe: settings are
 * swapped atomically through a volatile field; the random source is guarded by this object.
 */
public final class FaultInjector {
    /** What happens to one call. */
    public enum Outcome { NONE, SERVER_ERROR, BAD_GATEWAY, CONNECTION_RESET, TOO_MANY_REQUESTS }

    /** The decision for one call: a delay first, then the outcome. */
    public record Decision(long delayMillis, Outcome outcome) {
        static final Decision CLEAN = new Decision(0, Outcome.NONE);
    }

    private volatile FaultSettings settings;
    private final SplittableRandom random;

    public FaultInjector(FaultSettings settings, long seed) {
        this.settings = settings;
        this.random = new SplittableRandom(seed);
    }

    public FaultSettings settings() {
        return settings;
    }

    public void update(FaultSettings newSettings) {
        String problem = newSettings.problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        settings = newSettings;
    }

    public Decision decideCall() {
        FaultSettings current = settings;
        if (!current.affectsCalls()) {
            return Decision.CLEAN;
        }
        synchronized (this) {
            long delay = current.latency().sampleMillis(random);
            double roll = random.nextDouble();
            Outcome outcome = Outcome.NONE;
            double edge = current.connectionResetRate();
            if (roll < edge) {
                outcome = Outcome.CONNECTION_RESET;
            } else if (roll < (edge += current.badGatewayRate())) {
                outcome = Outcome.BAD_GATEWAY;
            } else if (roll < (edge += current.serverErrorRate())) {
                outcome = Outcome.SERVER_ERROR;
            } else if (roll < edge + current.tooManyRequestsRate()) {
                outcome = Outcome.TOO_MANY_REQUESTS;
            }
            return new Decision(delay, outcome);
        }
    }

    /** True when this webhook delivery should fail without being sent. */
    public boolean failWebhookDelivery() {
        double rate = settings.webhookFailureRate();
        if (rate <= 0) {
            return false;
        }
        synchronized (this) {
            return random.nextDouble() < rate;
        }
    }
}
