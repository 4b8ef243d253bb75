package dev.telescale.emulator.updates;

/**
 * The delivery outcome fields of getWebhookInfo, updated by the deliverer.
 * Thread-safe: each update replaces the volatile fields together under this object's lock.
 */
public final class WebhookStatus {
    private long lastErrorDate;
    private String lastErrorMessage;
    private long lastSynchronizationErrorDate;

    public synchronized void recordError(long epochSecond, String message) {
        lastErrorDate = epochSecond;
        lastErrorMessage = message;
    }

    public synchronized void clear() {
        lastErrorDate = 0;
        lastErrorMessage = null;
        lastSynchronizationErrorDate = 0;
    }

    public synchronized long lastErrorDate() {
        return lastErrorDate;
    }

    public synchronized String lastErrorMessage() {
        return lastErrorMessage;
    }

    public synchronized long lastSynchronizationErrorDate() {
        return lastSynchronizationErrorDate;
    }
}
