package dev.telescale.runtime.storage;

import dev.telescale.runtime.ingress.Partitioning;
import dev.telescale.runtime.outbound.OutboundMessage;
import dev.telescale.runtime.outbound.OutboundQueue;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The durable queue of Bot API calls. A message is enqueued in the same transaction as the
 * effects that produced it, and leaves only when sent ({@link #markSent}) or given up on
 * ({@link #markFailed}, which keeps it in {@code outbox_failed}). Messages to one (bot, chat) are
 * offered strictly in id order: {@link #heads} returns a chat's lowest id or nothing, so a delayed
 * head holds back the rest of its chat, and the sender has one message per chat in flight.
 *
 * <p>Ids come from the database in insertion order. On PostgreSQL, ids of concurrent transactions
 * can commit out of order; per-chat order holds because one chat's messages are enqueued by one
 * dispatcher at a time.
 *
 * <p>Thread-safe: besides the database, only the ids waiting for {@link #markSent}'s group commit.
 */
public final class Outbox implements OutboundQueue {
    static final int MAX_ERROR_LENGTH = 2_000;
    private static final String COLUMNS = "id, bot_id, chat_id, shard, lane, method, payload, attempts, not_before, origin";
    private static final String INSERT = """
            INSERT INTO outbox (bot_id, chat_id, shard, lane, method, payload, attempts, not_before, origin, created_at)
            VALUES (:botId, :chatId, :shard, :lane, :method, :payload, :attempts, :notBefore, :origin, :createdAt)""";
    private static final String NEXT_FOR_CHAT = "SELECT " + COLUMNS
            + " FROM outbox WHERE bot_id = :botId AND chat_id = :chatId ORDER BY id LIMIT :limit";
    private static final String DELETE = "DELETE FROM outbox WHERE id = :id";
    private static final String RESCHEDULE = "UPDATE outbox SET not_before = :notBefore, attempts = :attempts WHERE id = :id";
    private static final String COPY_TO_FAILED = "INSERT INTO outbox_failed (" + COLUMNS + ", created_at, error, failed_at) SELECT "
            + COLUMNS + ", created_at, :error, :now FROM outbox WHERE id = :id";
    /** Due messages with no earlier one of their chat left (the heads of the chat queues), in (lane, id) order. */
    private static final String DUE_HEADS_IN_ORDER = "head.not_before <= :now AND NOT EXISTS (SELECT 1 FROM outbox AS earlier"
            + " WHERE earlier.bot_id = head.bot_id AND earlier.chat_id = head.chat_id AND earlier.id < head.id)"
            + " ORDER BY head.lane, head.id LIMIT :" + PerShardQuery.LIMIT;
    private static final PerShardQuery HEADS = new PerShardQuery(shard -> "SELECT " + COLUMNS
            + " FROM outbox AS head WHERE head.shard = :" + shard + " AND " + DUE_HEADS_IN_ORDER, "lane, id");
    /**
     * {@link #heads} when this instance owns every shard (one instance, the embedded default): the
     * same answer as the per-shard union, walking the (lane, id) index once instead of 64 subqueries
     * (preparing and running that union was a fifth of a webhook run's CPU samples in the runtime).
     */
    private static final String ALL_HEADS = "SELECT " + COLUMNS + " FROM outbox AS head WHERE " + DUE_HEADS_IN_ORDER;
    private static final String COUNT_LANE = "SELECT count(*) FROM outbox WHERE lane = :lane";
    private static final String OLDEST_CREATED = "SELECT created_at FROM outbox WHERE id = (SELECT min(id) FROM outbox)";

    /** A delivered message's id, waiting for the group commit that deletes it. */
    private record SentRow(long id, CompletableFuture<Void> committed) {
    }

    private final Database db;
    private final InstantSource clock;
    private final Queue<SentRow> sentWaiting = new ConcurrentLinkedQueue<>();
    private final ReentrantLock sentCommitter = new ReentrantLock();

    /** An outbox stamping enqueue and failure times with the system clock. */
    public Outbox(Database db) {
        this(db, InstantSource.system());
    }

    public Outbox(Database db, InstantSource clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Enqueues in the caller's transaction, in list order; the ids the messages carry are ignored. */
    public void enqueue(Handle handle, List<OutboundMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        long now = clock.millis();
        PreparedBatch batch = handle.prepareBatch(INSERT);
        for (OutboundMessage message : messages) {
            bindMessage(batch, message, now).add();
        }
        batch.execute();
    }

    /** Enqueues one message in its own transaction and returns it with its id. */
    public OutboundMessage enqueue(OutboundMessage message) {
        long id = db.inTransaction(handle -> bindMessage(handle.createUpdate(INSERT), message, clock.millis())
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one());
        return message.withId(id);
    }

    private static <S extends SqlStatement<S>> S bindMessage(S statement, OutboundMessage message,
                                                                                       long now) {
        return statement.bind("botId", message.botId())
                .bind("chatId", message.chatId())
                .bind("shard", message.shard())
                .bind("lane", message.lane())
                .bind("method", message.method())
                .bind("payload", message.payloadJson())
                .bind("attempts", message.attempts())
                .bind("notBefore", message.notBeforeMillis())
                .bind("origin", message.origin())
                .bind("createdAt", now);
    }

    /**
     * The messages ready to send in these shards: for each (bot, chat) only its lowest-id message,
     * and only if that one is due ({@code not_before <= nowMillis}); conversation (lane 0) before
     * broadcast (lane 1), then by id; at most {@code limit}.
     */
    @Override
    public List<OutboundMessage> heads(Collection<Integer> shards, long nowMillis, int limit) {
        List<Integer> distinctShards = PerShardQuery.distinct(shards);
        if (distinctShards.isEmpty() || limit <= 0) {
            return List.of();
        }
        if (distinctShards.size() == Partitioning.SHARDS) {
            return db.withHandle(handle -> handle.createQuery(ALL_HEADS)
                    .bind("now", nowMillis)
                    .bind(PerShardQuery.LIMIT, limit)
                    .map(Outbox::mapMessage)
                    .list());
        }
        String sql = HEADS.sql(distinctShards.size());
        return db.withHandle(handle -> PerShardQuery.bindShards(handle.createQuery(sql), distinctShards)
                .bind("now", nowMillis)
                .bind(PerShardQuery.LIMIT, limit)
                .map(Outbox::mapMessage)
                .list());
    }

    /** The queued messages of one chat in send order, due or not. */
    public List<OutboundMessage> nextForChat(long botId, long chatId, int limit) {
        return db.withHandle(handle -> handle.createQuery(NEXT_FOR_CHAT)
                .bind("botId", botId)
                .bind("chatId", chatId)
                .bind("limit", limit)
                .map(Outbox::mapMessage)
                .list());
    }

    /**
     * The message was delivered: it leaves the outbox, and the next one of its chat becomes the head.
     * Returns once that is committed.
     *
     * <p>Group commit: concurrent callers share one transaction. Each caller queues its id, then
     * takes {@link #sentCommitter}; whoever holds it deletes every id queued at that moment in one
     * transaction, so callers that were waiting for the lock usually find their id already
     * committed and return at once. A failed commit fails every caller of that batch, whose rows
     * stay queued (the sender retries them, as it would after any failed markSent).
     */
    @Override
    public void markSent(long id) {
        SentRow mine = new SentRow(id, new CompletableFuture<>());
        sentWaiting.add(mine);
        sentCommitter.lock();
        try {
            if (!mine.committed().isDone()) {
                List<SentRow> batch = new ArrayList<>();
                for (SentRow next = sentWaiting.poll(); next != null; next = sentWaiting.poll()) {
                    batch.add(next);
                }
                deleteSent(batch);
            }
        } finally {
            sentCommitter.unlock();
        }
        try {
            mine.committed().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private void deleteSent(List<SentRow> batch) {
        try {
            db.useTransaction(handle -> {
                PreparedBatch delete = handle.prepareBatch(DELETE);
                for (SentRow row : batch) {
                    delete.bind("id", row.id()).add();
                }
                delete.execute();
            });
            batch.forEach(row -> row.committed().complete(null));
        } catch (RuntimeException e) {
            batch.forEach(row -> row.committed().completeExceptionally(e));
        }
    }

    /** Keeps the message at the head of its chat but not due before {@code notBeforeMillis}. */
    @Override
    public void reschedule(long id, long notBeforeMillis, int attempts) {
        db.inTransaction(handle -> handle.createUpdate(RESCHEDULE)
                .bind("notBefore", notBeforeMillis)
                .bind("attempts", attempts)
                .bind("id", id)
                .execute());
    }

    /** Gives up on the message: moves it to {@code outbox_failed} with the (shortened) error, atomically. */
    @Override
    public void markFailed(long id, String error) {
        String shortened = error == null ? "" : error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error;
        db.useTransaction(handle -> {
            handle.createUpdate(COPY_TO_FAILED).bind("error", shortened).bind("now", clock.millis()).bind("id", id).execute();
            handle.createUpdate(DELETE).bind("id", id).execute();
        });
    }

    public int countPending(int lane) {
        return db.withHandle(handle -> handle.createQuery(COUNT_LANE).bind("lane", lane).mapTo(Integer.class).one());
    }

    /** How long the oldest queued message has waited, by its enqueue time; 0 when the outbox is empty. */
    public long oldestPendingAgeMillis(long now) {
        return db.withHandle(handle -> handle.createQuery(OLDEST_CREATED).mapTo(Long.class).findOne())
                .map(createdAt -> Math.max(0, now - createdAt))
                .orElse(0L);
    }

    private static OutboundMessage mapMessage(ResultSet row, StatementContext context) throws SQLException {
        return new OutboundMessage(row.getLong("id"), row.getLong("bot_id"), row.getLong("chat_id"), row.getInt("shard"),
                row.getInt("lane"), row.getString("method"), row.getString("payload"), row.getInt("attempts"),
                row.getLong("not_before"), row.getString("origin"));
    }
}
