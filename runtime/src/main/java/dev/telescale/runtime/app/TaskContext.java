package dev.telescale.runtime.app;

import java.time.InstantSource;
import java.util.Set;

/** What a {@link PeriodicTask} run gets. Valid only during the run. */
public interface TaskContext {
    /** A JDBI SqlObject DAO bound to this run's transaction. */
    <T> T dao(Class<T> daoType);

    /**
     * Queues calls in this run's transaction. Failures of tagged calls are reported as
     * {@code telescale_delivery_failed} updates in the private chat {@code originChatId} of
     * {@code originBotId}, as if that chat's handler had made them.
     */
    Outgoing send(long originBotId, long originChatId);

    InstantSource clock();

    /** The application's text in a given language. */
    String text(String languageCode, String key, Object... arguments);

    /** The bots of this deployment that run this application. */
    Set<Long> botIds();
}
