package dev.telescale.runtime.storage;

/**
 * The database kept failing in a way that usually passes (busy, lock conflict, serialization
 * failure, lost connection) through every retry; callers may try again later.
 */
public final class TransientStorageException extends StorageException {
    private final int attempts;

    public TransientStorageException(String message, int attempts, Throwable cause) {
        super(message, cause);
        this.attempts = attempts;
    }

    public int attempts() {
        return attempts;
    }
}
