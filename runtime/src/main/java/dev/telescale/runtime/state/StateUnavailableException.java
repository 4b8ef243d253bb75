package dev.telescale.runtime.state;

import org.jspecify.annotations.Nullable;

/**
 * The backend (Redis, the database) could not be reached or did not answer in time. Thrown
 * quickly (within about 500 ms) so callers can degrade instead of hanging; retrying later may
 * succeed.
 */
public class StateUnavailableException extends StateException {
    private static final long serialVersionUID = 1L;

    public StateUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
