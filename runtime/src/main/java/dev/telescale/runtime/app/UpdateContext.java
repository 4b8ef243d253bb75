package dev.telescale.runtime.app;

import dev.telescale.runtime.storage.TelegramUser;
import java.time.InstantSource;
import java.util.Optional;

/** What a handler gets for one update. Valid only during {@link BotApplication#handle}. */
public interface UpdateContext {
    Update update();

    /** The bot that received the update. */
    long botId();

    /** Queues Bot API calls in this update's transaction. */
    Outgoing send();

    /** A JDBI SqlObject DAO bound to this update's transaction. */
    <T> T dao(Class<T> daoType);

    InstantSource clock();

    /** The user who caused the update (its {@code from} or {@code user}), or empty for a channel post. */
    Optional<TelegramUser> user();

    /**
     * The application's text for {@code key} in the language of the update's user (their Telegram
     * language_code), falling back to the application's default language.
     */
    String text(String key, Object... arguments);

    /** The application's text for {@code key} in a given language (for messages to another user). */
    String text(String languageCode, String key, Object... arguments);

    /** Any user as last seen by any bot of this deployment, through the user cache; empty when never seen. */
    Optional<TelegramUser> user(long userId);
}
