package dev.telescale.runtime.dispatch;

import dev.telescale.runtime.app.Update;
import dev.telescale.runtime.storage.TelegramUser;
import java.util.Optional;

/**
 * What the dispatcher tells about, and asks of, the users behind updates (the runtime plugs in
 * {@link dev.telescale.runtime.users.UserCache}). Implementations are thread-safe.
 */
public interface UserDirectory {
    /** Remembers nobody and knows nobody. */
    UserDirectory NONE = new UserDirectory() {
        @Override
        public void observe(Update update) {
        }

        @Override
        public Optional<TelegramUser> find(long userId) {
            return Optional.empty();
        }
    };

    /**
     * Called with every update before its handler runs, outside the update's transaction. Must be
     * idempotent: a retried or redelivered update is observed again.
     */
    void observe(Update update);

    /** A user as last seen, by Telegram user id. */
    Optional<TelegramUser> find(long userId);

    /** The user who caused {@code update}, or empty when it has none (a channel post, a report). */
    default Optional<TelegramUser> sender(Update update) {
        long userId = update.fromUserId();
        return userId == 0 ? Optional.empty() : find(userId);
    }
}
