package dev.telescale.runtime.telegram;

/**
 * The one exception of the telegram package, thrown only where no {@link ApiResult} can be
 * returned (file downloads). Its message never contains a raw bot token.
 */
public class TelegramException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public TelegramException(String message, int status) {
        super(message);
        this.status = status;
    }

    public TelegramException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** The HTTP status of the failed request; 0 when there was no answer (network error, timeout). */
    public int status() {
        return status;
    }
}
