package dev.telescale.runtime.app;

/**
 * An answer a web handler gives instead of its result: the status and a one-line message for the
 * client, sent as {@code {"ok":false,"error":message}}; {@code retryAfterSeconds} above 0 adds a
 * {@code Retry-After} header. No stack trace reaches the client.
 */
public final class WebError extends RuntimeException {
    private final int status;
    private final long retryAfterSeconds;

    public WebError(int status, String message) {
        this(status, message, 0);
    }

    public WebError(int status, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status is 4xx or 5xx: " + status);
        }
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
