package dev.telescale.runtime.state;

import org.jspecify.annotations.Nullable;

/** The root of the shared-state component's unchecked exceptions. */
public class StateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StateException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
