package dev.telescale.runtime.app;

import java.time.InstantSource;

/** What {@link BotApplication#onDelivered} gets: its own short transaction. Valid only during the call. */
public interface DeliveryContext {
    /** A JDBI SqlObject DAO bound to this transaction. */
    <T> T dao(Class<T> daoType);

    InstantSource clock();
}
