package dev.telescale.runtime.storage;

import dev.telescale.runtime.ingress.InboundUpdate;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The durable journal of inbound updates, the runtime's guarantee against loss and duplicates:
 * an update is journaled before Telegram is told it arrived, stays pending until its handler's
 * effects commit together with {@link #markDone(Handle, long, long)}, and its (bot, update id) key
 * stays after handling so a redelivery is recognised until {@link #purgeHandledBefore} drops it.
 * Handled rows drop their payload; only the keys are needed for deduplication.
 *
 * <p>Thread-safe (stateless besides the database); concurrent {@link #accept} calls with the same
 * updates accept each one exactly once.
 */
public final class UpdateJournal {
    static final int PENDING = 0;
    static final int DONE = 1;
    static final int FAILED = 2;
    static final int PURGE_CHUNK = 5_000;
    static final int MAX_ERROR_LENGTH = 2_000;
    private static final Comparator<InboundUpdate> KEY_ORDER =
            Comparator.comparingLong(InboundUpdate::botId).thenComparingLong(InboundUpdate::updateId);
    private static final String COLUMNS = "bot_id, update_id, chat_key, shard, type, payload, received_at, attempts";
    private static final String INSERT = """
            INSERT INTO inbound_updates (bot_id, update_id, chat_key, shard, type, payload, status, attempts, received_at)
            VALUES (:botId, :updateId, :chatKey, :shard, :type, :payload, 0, :attempts, :receivedAt)
            ON CONFLICT (bot_id, update_id) DO NOTHING""";
    private static final PerShardQuery PENDING_IN_SHARDS = new PerShardQuery(shard -> "SELECT " + COLUMNS
            + " FROM inbound_updates WHERE status = 0 AND shard = :" + shard
            + " ORDER BY received_at, bot_id, update_id LIMIT :" + PerShardQuery.LIMIT, "received_at, bot_id, update_id");
    private static final String PENDING_FOR_CHAT = "SELECT " + COLUMNS + """
             FROM inbound_updates
            WHERE status = 0 AND bot_id = :botId AND chat_key = :chatKey
            ORDER BY update_id LIMIT :limit""";
    private static final String MARK_DONE = """
            UPDATE inbound_updates SET status = 1, payload = NULL, error = NULL, handled_at = :now
            WHERE bot_id = :botId AND update_id = :updateId AND status = 0""";
    private static final String CLAIM_IN_ORDER = """
            UPDATE inbound_updates SET status = 1, payload = NULL, error = NULL, handled_at = :now
            WHERE bot_id = :botId AND update_id = :updateId AND status = 0
              AND NOT EXISTS (SELECT 1 FROM inbound_updates older
                              WHERE older.bot_id = :botId AND older.chat_key = :chatKey AND older.status = 0
                                AND older.update_id < :updateId)""";
    private static final String MARK_FAILED = """
            UPDATE inbound_updates SET status = 2, payload = NULL, error = :error, handled_at = :now
            WHERE bot_id = :botId AND update_id = :updateId AND status = 0""";
    private static final String RECORD_ATTEMPT =
            "UPDATE inbound_updates SET attempts = attempts + 1 WHERE bot_id = :botId AND update_id = :updateId";
    private static final String ATTEMPTS =
            "SELECT attempts FROM inbound_updates WHERE bot_id = :botId AND update_id = :updateId";
    private static final String COUNT_PENDING = "SELECT count(*) FROM inbound_updates WHERE status = 0";
    private static final String COUNT_PENDING_IN_SHARDS =
            "SELECT count(*) FROM inbound_updates WHERE status = 0 AND shard IN (<shards>)";
    private static final String PURGE = """
            DELETE FROM inbound_updates WHERE (bot_id, update_id) IN (
                SELECT bot_id, update_id FROM inbound_updates WHERE handled_at < :cutoff LIMIT :chunk)""";

    private final Database db;
    private final InstantSource clock;

    public UpdateJournal(Database db, InstantSource clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Journals the updates not seen before in one transaction and returns exactly those, in input
     * order; an update already journaled (pending, done or failed) or repeated earlier in the same
     * list is left out.
     */
    public List<InboundUpdate> accept(List<InboundUpdate> updates) {
        if (updates.isEmpty()) {
            return List.of();
        }
        // Inserting in key order makes concurrent batches take row locks in one order: no deadlocks.
        int[] lockOrder = IntStream.range(0, updates.size()).boxed()
                .sorted(Comparator.comparing(updates::get, KEY_ORDER))
                .mapToInt(Integer::intValue).toArray();
        int[] inserted = db.inTransaction(handle -> {
            PreparedBatch batch = handle.prepareBatch(INSERT);
            for (int index : lockOrder) {
                InboundUpdate update = updates.get(index);
                batch.bind("botId", update.botId())
                        .bind("updateId", update.updateId())
                        .bind("chatKey", update.chatKey())
                        .bind("shard", update.shard())
                        .bind("type", update.type())
                        .bind("payload", update.payload())
                        .bind("attempts", update.attempts())
                        .bind("receivedAt", update.receivedAtMillis())
                        .add();
            }
            return batch.execute();
        });
        boolean[] isNew = new boolean[updates.size()];
        for (int position = 0; position < lockOrder.length; position++) {
            if (inserted[position] == Statement.SUCCESS_NO_INFO) {
                throw new StorageException("The driver of " + db.describe() + " does not report which updates were new");
            }
            isNew[lockOrder[position]] = inserted[position] > 0;
        }
        List<InboundUpdate> accepted = new ArrayList<>();
        for (int index = 0; index < updates.size(); index++) {
            if (isNew[index]) {
                accepted.add(updates.get(index));
            }
        }
        return accepted;
    }

    /** Pending updates of these shards, oldest first (received time, then bot and update id). */
    public List<InboundUpdate> pending(Collection<Integer> shards, int limit) {
        List<Integer> distinctShards = PerShardQuery.distinct(shards);
        if (distinctShards.isEmpty() || limit <= 0) {
            return List.of();
        }
        String sql = PENDING_IN_SHARDS.sql(distinctShards.size());
        return db.withHandle(handle -> PerShardQuery.bindShards(handle.createQuery(sql), distinctShards)
                .bind(PerShardQuery.LIMIT, limit)
                .map(UpdateJournal::mapUpdate)
                .list());
    }

    /** Pending updates of one chat (or user) key of one bot, in update id order. */
    public List<InboundUpdate> pendingForChat(long botId, String chatKey, int limit) {
        return db.withHandle(handle -> handle.createQuery(PENDING_FOR_CHAT)
                .bind("botId", botId)
                .bind("chatKey", chatKey)
                .bind("limit", limit)
                .map(UpdateJournal::mapUpdate)
                .list());
    }

    /**
     * Marks the update handled inside the caller's transaction, so it commits with the handler's
     * effects. Returns false, changing nothing, when the update is not pending (handled already,
     * e.g. by another instance, or unknown): the caller should then roll back. On PostgreSQL a
     * concurrent second mark waits for the first transaction and then sees it done.
     */
    public boolean markDone(Handle handle, long botId, long updateId) {
        return handle.createUpdate(MARK_DONE)
                .bind("now", clock.millis())
                .bind("botId", botId)
                .bind("updateId", updateId)
                .execute() > 0;
    }

    /**
     * Like {@link #markDone(Handle, long, long)}, but refuses while an older update of the same
     * chat is still pending, so a chat's updates are handled in update id order even when the
     * older one was never loaded on this instance (restart, takeover, a full dispatch queue).
     */
    public boolean claimInOrder(Handle handle, long botId, String chatKey, long updateId) {
        return handle.createUpdate(CLAIM_IN_ORDER)
                .bind("now", clock.millis())
                .bind("botId", botId)
                .bind("chatKey", chatKey)
                .bind("updateId", updateId)
                .execute() > 0;
    }

    /** {@link #markDone(Handle, long, long)} in a transaction of its own. */
    public boolean markDone(long botId, long updateId) {
        return db.inTransaction(handle -> markDone(handle, botId, updateId));
    }

    /**
     * Gives up on a pending update: it is no longer pending and keeps the (shortened) error for
     * operators. Returns false, changing nothing, when the update was not pending.
     */
    public boolean markFailed(long botId, long updateId, String error) {
        String shortened = error == null ? "" : error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error;
        return db.inTransaction(handle -> handle.createUpdate(MARK_FAILED)
                .bind("error", shortened)
                .bind("now", clock.millis())
                .bind("botId", botId)
                .bind("updateId", updateId)
                .execute() > 0);
    }

    /**
     * Counts one more dispatch attempt and returns the new total.
     *
     * @throws StorageException when the update is not in the journal
     */
    public int recordAttempt(long botId, long updateId) {
        return db.inTransaction(handle -> {
            handle.createUpdate(RECORD_ATTEMPT).bind("botId", botId).bind("updateId", updateId).execute();
            return handle.createQuery(ATTEMPTS).bind("botId", botId).bind("updateId", updateId)
                    .mapTo(Integer.class)
                    .findOne()
                    .orElseThrow(() -> new StorageException("Update " + updateId + " of bot " + botId + " is not in the journal"));
        });
    }

    public int countPending() {
        return db.withHandle(handle -> handle.createQuery(COUNT_PENDING).mapTo(Integer.class).one());
    }

    public int countPendingInShards(Collection<Integer> shards) {
        List<Integer> distinctShards = PerShardQuery.distinct(shards);
        if (distinctShards.isEmpty()) {
            return 0;
        }
        return db.withHandle(handle -> handle.createQuery(COUNT_PENDING_IN_SHARDS)
                .bindList("shards", distinctShards)
                .mapTo(Integer.class)
                .one());
    }

    /**
     * Deletes handled (done or failed) updates handled before the cutoff, in short transactions of
     * {@value #PURGE_CHUNK} rows so writers are never held up for long; returns how many went.
     * A redelivery of a purged update would be accepted again, so the cutoff must lie beyond
     * Telegram's redelivery window (24 hours).
     */
    public int purgeHandledBefore(long cutoffMillis) {
        int purged = 0;
        int deleted;
        do {
            deleted = db.inTransaction(handle -> handle.createUpdate(PURGE)
                    .bind("cutoff", cutoffMillis)
                    .bind("chunk", PURGE_CHUNK)
                    .execute());
            purged += deleted;
        } while (deleted == PURGE_CHUNK);
        return purged;
    }

    private static InboundUpdate mapUpdate(ResultSet row, StatementContext context) throws SQLException {
        return new InboundUpdate(row.getLong("bot_id"), row.getLong("update_id"), row.getString("chat_key"),
                row.getInt("shard"), row.getString("type"), row.getString("payload"), row.getLong("received_at"),
                row.getInt("attempts"));
    }
}
