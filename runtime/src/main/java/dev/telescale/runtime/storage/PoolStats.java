package dev.telescale.runtime.storage;

/**
 * A snapshot of the connection pool for metrics.
 *
 * @param waiting threads waiting for a connection right now
 */
public record PoolStats(int active, int idle, int total, int waiting) {
}
