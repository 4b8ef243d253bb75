package dev.telescale.runtime.webapp;

/** What {@link InitDataValidator#check} found: the verified data, or why it was refused. */
public sealed interface InitDataCheck permits InitDataCheck.Valid, InitDataCheck.Invalid {

    /** Signed by the bot, recent enough, well formed. */
    record Valid(WebAppInitData data) implements InitDataCheck {
    }

    /**
     * Refused.
     *
     * @param message one line of English that names no secret and quotes nothing the client sent:
     *                safe to show the client
     */
    record Invalid(Reason reason, String message) implements InitDataCheck {
    }

    enum Reason {
        /** Not init data: too long, not a query string, a field twice, no hash, a bad auth_date or user. */
        MALFORMED,
        /** The hash is not this bot's signature of these fields (forged, altered or another bot's). */
        BAD_SIGNATURE,
        /** Signed, but auth_date is older than the validator's maximum age. */
        STALE,
        /** Signed, but auth_date is more than a minute ahead of this server's clock. */
        FROM_THE_FUTURE
    }
}
