package dev.telescale.runtime.app;

import java.time.InstantSource;

/** What {@link BotApplication#onDelivered} gets: its own short transaction, whose queued calls commit with it. Valid only during the call. */
public interface DeliveryContext {
    /** A JDBI SqlObject DAO bound to this transaction. */
    <T> T dao(Class<T> daoType);

    InstantSource clock();

    /**
     * Queues calls in this transaction (to tell a user the outcome of a check, say); failures of
     * tagged ones are reported in the private chat {@code originChatId} of {@code originBotId}.
     */
    Outgoing send(long originBotId, long originChatId);
}
