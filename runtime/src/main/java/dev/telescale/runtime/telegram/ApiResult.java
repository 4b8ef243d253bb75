package dev.telescale.runtime.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * What one Bot API call came to, classified so that callers decide with a switch instead of
 * parsing errors: sent, wait and retry, refused for good, recipient gone, or try again later.
 * {@link BotApiClient} never throws for a bad answer; every answer maps to exactly one of these.
 */
public sealed interface ApiResult {

    /** {@code {"ok":true,"result":...}}. */
    record Ok(JsonNode result) implements ApiResult {
    }

    /** 429: wait {@code seconds} (from {@code parameters.retry_after} or the Retry-After header), then retry. */
    record RetryAfter(int seconds, String description) implements ApiResult {
    }

    /** 400 and every other non-retryable 4xx except 403 and 429: the call itself is wrong; retrying cannot help. */
    record Rejected(int code, String description) implements ApiResult {
    }

    /** 403: the recipient cannot be reached by this bot (blocked, deactivated, never started, bot removed). */
    record Unreachable(int code, String description, Reason reason) implements ApiResult {

        /** Why the chat is unreachable, read from the description Telegram sends. */
        public enum Reason {
            /** "Forbidden: bot was blocked by the user". */
            BLOCKED,
            /** "Forbidden: user is deactivated". */
            DEACTIVATED,
            /** "Forbidden: bot can't initiate conversation with a user": the user never pressed Start. */
            NOT_STARTED,
            /** "Forbidden: bot was kicked from the group chat" (supergroup, channel). */
            KICKED,
            /** "Forbidden: bot is not a member of the group chat" (supergroup, channel). */
            NOT_MEMBER,
            /** Any other 403, e.g. "Forbidden: bot can't send messages to bots". */
            OTHER;

            public static Reason parse(String description) {
                String text = description == null ? "" : description.toLowerCase(Locale.ROOT);
                if (text.contains("blocked by the user")) {
                    return BLOCKED;
                }
                if (text.contains("deactivated")) {
                    return DEACTIVATED;
                }
                if (text.contains("can't initiate conversation")) {
                    return NOT_STARTED;
                }
                if (text.contains("kicked")) {
                    return KICKED;
                }
                if (text.contains("not a member")) {
                    return NOT_MEMBER;
                }
                return OTHER;
            }
        }
    }

    /**
     * Worth retrying after a back-off: 5xx (JSON or the nginx HTML page), connection refused or
     * reset, timeouts, answers that are not the Bot API envelope. The call may or may not have
     * been executed by Telegram (a timeout or a reset after the request was read).
     */
    record Transient(String reason) implements ApiResult {
    }
}
