package dev.telescale.runtime.app;

import dev.telescale.runtime.storage.RecordMapper;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;

/**
 * The runtime's broadcasts (table {@code broadcasts}), for an application's admin commands and
 * panel: {@code context.dao(Broadcasts.class)} in a handler, task run or web request, so starting
 * or cancelling one commits with the rest of that work. The runtime's broadcasts task sends them
 * (see {@link BroadcastAudience}).
 */
public interface Broadcasts extends SqlObject {
    /** One broadcast and its progress: {@code queued} of about {@code total}. */
    record Row(long id, String app, String segment, String message, long originBotId, long originChatId, long cursorValue,
               long queued, long total, String status, long createdAt, Long finishedAt) {
    }

    String COLUMNS = "id, app, segment, message, origin_bot_id, origin_chat_id, cursor_value, queued, total, status, created_at, finished_at";

    RecordMapper<Row> ROW = RecordMapper.of(Row.class);

    /** Stores a running broadcast; the broadcasts task starts on it within a second. Returns its id. */
    default long start(String app, String segment, String messageJson, long originBotId, long originChatId, long total,
                       long now) {
        return getHandle().createUpdate("""
                        INSERT INTO broadcasts (app, segment, message, origin_bot_id, origin_chat_id, total, status, created_at)
                        VALUES (:app, :segment, :message, :bot, :chat, :total, 'running', :now)""")
                .bind("app", app).bind("segment", segment).bind("message", messageJson).bind("bot", originBotId)
                .bind("chat", originChatId).bind("total", total).bind("now", now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    /** The newest broadcasts of an application first. */
    default List<Row> list(String app, int limit) {
        return getHandle().createQuery("SELECT " + COLUMNS + " FROM broadcasts WHERE app = :app ORDER BY id DESC LIMIT :limit")
                .bind("app", app).bind("limit", limit).map(ROW).list();
    }

    default List<Row> running(String app) {
        return getHandle().createQuery("SELECT " + COLUMNS + " FROM broadcasts WHERE app = :app AND status = 'running' ORDER BY id")
                .bind("app", app).map(ROW).list();
    }

    default Optional<Row> find(String app, long id) {
        return getHandle().createQuery("SELECT " + COLUMNS + " FROM broadcasts WHERE app = :app AND id = :id")
                .bind("app", app).bind("id", id).map(ROW).findOne();
    }

    /** Stops a running broadcast (calls already queued still go out); true when it was running. */
    default boolean cancel(String app, long id, long now) {
        return getHandle().createUpdate("""
                        UPDATE broadcasts SET status = 'cancelled', finished_at = :now WHERE app = :app AND id = :id AND status = 'running'""")
                .bind("now", now).bind("app", app).bind("id", id).execute() == 1;
    }

    /** Moves a broadcast's cursor after a batch; the status becomes done when {@code done}. */
    default void advance(long id, long cursor, long queuedNow, boolean done, long now) {
        getHandle().createUpdate("""
                        UPDATE broadcasts SET cursor_value = :cursor, queued = queued + :n, status = :status, finished_at = :finished
                        WHERE id = :id AND status = 'running'""")
                .bind("cursor", cursor).bind("n", queuedNow).bind("status", done ? "done" : "running")
                .bind("finished", done ? now : null).bind("id", id).execute();
    }
}
