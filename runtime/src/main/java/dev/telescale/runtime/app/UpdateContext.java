package dev.telescale.runtime.app;

import java.time.InstantSource;

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
}
