package dev.telescale.emulator.faults;

import java.util.SplittableRandom;

/**
 * Added latency: "none", "fixed" (always {@code meanMillis}), "uniform" (in [0, 2 * mean]),
 * "exponential" (mean {@code meanMillis}) or "lognormal" (median {@code meanMillis}, shape
 * {@code sigma}). Samples are capped at {@code maxMillis}.
 */
public record LatencyDistribution(String kind, double meanMillis, double sigma, double maxMillis) {
    public static LatencyDistribution none() {
        return new LatencyDistribution("none", 0, 0, 0);
    }

    public boolean isNone() {
        return kind.equals("none") || meanMillis <= 0;
    }

    public String problem() {
        return switch (kind) {
            case "none", "fixed", "uniform", "exponential", "lognormal" ->
                    meanMillis < 0 || maxMillis < 0 || sigma < 0 ? "latency values must not be negative" : null;
            default -> "latency kind must be one of none, fixed, uniform, exponential, lognormal";
        };
    }

    public long sampleMillis(SplittableRandom random) {
        if (isNone()) {
            return 0;
        }
        double value = switch (kind) {
            case "fixed" -> meanMillis;
            case "uniform" -> random.nextDouble() * 2 * meanMillis;
            case "exponential" -> -meanMillis * Math.log(1 - random.nextDouble());
            case "lognormal" -> meanMillis * Math.exp(sigma * gaussian(random));
            default -> 0;
        };
        double cap = maxMillis > 0 ? maxMillis : 60_000;
        return (long) Math.min(cap, Math.max(0, value));
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
