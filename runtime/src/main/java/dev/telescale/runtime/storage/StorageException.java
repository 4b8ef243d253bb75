package dev.telescale.runtime.storage;

/**
 * The unchecked root of every failure the storage package reports; the message names the
 * database and the operation, the cause keeps the driver's exception.
 */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
