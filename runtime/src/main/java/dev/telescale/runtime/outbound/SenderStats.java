package dev.telescale.runtime.outbound;

/**
 * Counters of one {@link Sender} since it was created.
 *
 * @param sent           calls Telegram accepted
 * @param retried        messages put back for another attempt (429 and transient failures)
 * @param rateLimited429 429 answers received
 * @param failed         messages dropped (rejected, unreachable, or retries exhausted)
 * @param inFlight       calls under way now
 */
public record SenderStats(long sent, long retried, long rateLimited429, long failed, int inFlight) {
}
