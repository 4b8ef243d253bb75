package dev.telescale.runtime.app;

import java.util.List;
import java.util.Optional;

/**
 * An application that runs on Telescale, such as the anonymous chat. It sees updates one at a
 * time per chat, in order, and acts only through its {@link UpdateContext}: its reads and writes
 * go through the context's DAOs inside the update's transaction, and everything it sends is
 * queued in that same transaction, so an update's effects happen exactly once or not at all.
 * Implementations must be thread-safe: different chats are handled concurrently.
 */
public interface BotApplication {
    /** The name used in BOT_TOKENS and in metrics, e.g. "anonchat". */
    String name();

    /** Flyway locations of the application's own tables; {@code {dialect}} is replaced by "sqlite" or "postgresql". */
    default List<String> migrationLocations() {
        return List.of();
    }

    /** The application's texts; {@link UpdateContext#text} picks the user's language. */
    default Translations translations() {
        return Translations.NONE;
    }

    /** Called once per bot when the runtime starts (set the command menu, for example). */
    default void onStart(BotStartContext bot) {
    }

    /** Work one instance of the deployment does periodically; see {@link PeriodicTask}. */
    default List<PeriodicTask> periodicTasks() {
        return List.of();
    }

    /** The application's part of the admin dashboard, if it has one. */
    default Optional<AdminPanel> adminPanel() {
        return Optional.empty();
    }

    /** Who the application's broadcasts reach, when it has broadcasts (see {@link Broadcasts}). */
    default Optional<BroadcastAudience> broadcastAudience() {
        return Optional.empty();
    }

    /** The application's HTTP routes (a Mini App's page and API, admin pages), if it has any; called once at start. */
    default void webRoutes(WebRoutes routes) {
    }

    /**
     * A tagged call was accepted by Telegram. Runs on a sender thread in its own transaction after
     * the outbox let go of the call, possibly concurrently for different chats; keep it short (record
     * a message id). An exception is logged and the delivery is not reported again.
     */
    default void onDelivered(Delivery delivery, DeliveryContext context) throws Exception {
    }

    /** Handles one update. A thrown exception rolls the update's effects back; it is retried, then recorded as failed. */
    void handle(UpdateContext context) throws Exception;
}
