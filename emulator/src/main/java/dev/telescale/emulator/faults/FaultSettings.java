package dev.telescale.emulator.faults;

/**
 * What goes wrong, and how often, in answers to Bot API calls and in webhook deliveries.
 * Rates are probabilities per call in [0, 1]. Immutable; the injector swaps it at run time.
 *
 * @param latency              extra latency added before each Bot API answer
 * @param serverErrorRate      JSON 500 "Internal Server Error: restart"
 * @param badGatewayRate       the HTML 502 page of Telegram's nginx front end
 * @param connectionResetRate  the connection is closed without an answer
 * @param tooManyRequestsRate  a 429 storm: answers 429 regardless of flood limits
 * @param stormRetryAfter      retry_after seconds given in storm 429s
 * @param webhookFailureRate   a webhook delivery is reported failed without being sent
 */
public record FaultSettings(LatencyDistribution latency, double serverErrorRate, double badGatewayRate,
                            double connectionResetRate, double tooManyRequestsRate, int stormRetryAfter,
                            double webhookFailureRate) {
    public static FaultSettings none() {
        return new FaultSettings(LatencyDistribution.none(), 0, 0, 0, 0, 1, 0);
    }

    public boolean affectsCalls() {
        return !latency.isNone() || serverErrorRate > 0 || badGatewayRate > 0 || connectionResetRate > 0
                || tooManyRequestsRate > 0;
    }

    /** Checks ranges; returns a problem description or null. */
    public String problem() {
        double[] rates = {serverErrorRate, badGatewayRate, connectionResetRate, tooManyRequestsRate, webhookFailureRate};
        for (double rate : rates) {
            if (!(rate >= 0 && rate <= 1)) {
                return "rates must be between 0 and 1";
            }
        }
        if (stormRetryAfter < 1) {
            return "storm_retry_after must be at least 1";
        }
        return latency.problem();
    }
}
