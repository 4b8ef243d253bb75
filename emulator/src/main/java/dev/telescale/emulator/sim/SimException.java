package dev.telescale.emulator.sim;

/** A refused simulation request (unknown user, bot or message, bad arguments): HTTP 400 or 404. */
public final class SimException extends RuntimeException {
    private final int status;

    public SimException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public static SimException badRequest(String message) {
        return new SimException(400, message);
    }

    public static SimException notFound(String message) {
        return new SimException(404, message);
    }

    public int status() {
        return status;
    }
}
