package dev.telescale.anonchat;

import dev.telescale.runtime.storage.RecordMapper;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.sqlobject.SqlObject;

/**
 * The anonymous chat's tables, bound to the transaction of the update (or task run) that asked for
 * it. SQL common to SQLite and PostgreSQL only (ON CONFLICT, RETURNING), except {@link #lockMatching}.
 */
public interface Store extends SqlObject {

    String PROFILE_COLUMNS = """
            no, user_id, bot_id, lang, gender, age, step, onboarded_at, want_gender, want_age_min, want_age_max,
            vip_until, banned_until, ban_reason, penalty_level, warnings, referrer_no, referral_counted <> 0 AS referral_counted,
            invites, rate_window, rate_count, blocked <> 0 AS blocked, created_at, last_active_at""";

    // Row mappers are built once; RecordMapper also resolves the columns cheaply per row (JDBI's ConstructorMapper
    // re-inspected the record for every query: the largest cost of a relay in a JFR profile).
    RowMapper<Profile> PROFILE = RecordMapper.of(Profile.class);
    RowMapper<Active> ACTIVE = RecordMapper.of(Active.class);
    RowMapper<Conversation> CONVERSATION = RecordMapper.of(Conversation.class);
    RowMapper<Waiting> WAITING = RecordMapper.of(Waiting.class);
    RowMapper<MappedMessage> MAPPED = RecordMapper.of(MappedMessage.class);
    RowMapper<AlbumPart> ALBUM_PART = RecordMapper.of(AlbumPart.class);

    private Handle h() {
        return getHandle();
    }

    // ---- users ----

    default Optional<Profile> profile(long userId) {
        return h().createQuery("SELECT " + PROFILE_COLUMNS + " FROM ac_users WHERE user_id = :id")
                .bind("id", userId).map(PROFILE).findOne();
    }

    default Optional<Profile> profileByNo(long no) {
        return h().createQuery("SELECT " + PROFILE_COLUMNS + " FROM ac_users WHERE no = :no")
                .bind("no", no).map(PROFILE).findOne();
    }

    default Profile createProfile(long userId, long botId, String lang, Long referrerNo, long now) {
        h().createUpdate("""
                        INSERT INTO ac_users (user_id, bot_id, lang, step, referrer_no, created_at, last_active_at)
                        VALUES (:id, :bot, :lang, 'gender', :ref, :now, :now) ON CONFLICT (user_id) DO NOTHING""")
                .bind("id", userId).bind("bot", botId).bind("lang", lang).bind("ref", referrerNo).bind("now", now)
                .execute();
        return profile(userId).orElseThrow();
    }

    /** Records activity and the bot the user talks to now (their messages go through it). */
    default void touch(long userId, long botId, long now) {
        h().createUpdate("UPDATE ac_users SET bot_id = :bot, last_active_at = :now, blocked = 0 WHERE user_id = :id")
                .bind("id", userId).bind("bot", botId).bind("now", now).execute();
    }

    default void update(long userId, String assignments, Object... namedValues) {
        var update = h().createUpdate("UPDATE ac_users SET " + assignments + " WHERE user_id = :userId").bind("userId", userId);
        for (int i = 0; i < namedValues.length; i += 2) {
            update.bind((String) namedValues[i], namedValues[i + 1]);
        }
        update.execute();
    }

    /** Counts one message against the spam limit; true when it is within {@code perMinute}. */
    default boolean countMessage(long userId, long now, int perMinute) {
        long window = now / 60_000;
        h().createUpdate("""
                        UPDATE ac_users SET rate_count = CASE WHEN rate_window = :window THEN rate_count + 1 ELSE 1 END,
                            rate_window = :window WHERE user_id = :id""")
                .bind("window", window).bind("id", userId).execute();
        int count = h().createQuery("SELECT rate_count FROM ac_users WHERE user_id = :id").bind("id", userId)
                .mapTo(Integer.class).one();
        return count <= perMinute;
    }

    // ---- matching ----

    /** Serialises match-or-enqueue across instances: a transaction-scoped lock (SQLite has one writer anyway). */
    default void lockMatching() {
        if (isPostgres()) {
            h().createQuery("SELECT pg_advisory_xact_lock(7270001)").mapToMap().one();
        }
    }

    default boolean isPostgres() {
        try {
            Connection connection = h().getConnection();
            return connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    record Waiting(long userId, long botId, int priority, String gender, Integer age, String wantGender,
                   Integer wantAgeMin, Integer wantAgeMax, long enqueuedAt, long expiresAt) {
    }

    /**
     * The first waiting user, in queue order, that suits {@code me} and whom {@code me} suits, and
     * who is not a recent partner. Reads the queue index in order and stops at the first match.
     */
    default Optional<Waiting> firstCompatible(Profile me, boolean vip, long now) {
        StringBuilder sql = new StringBuilder("""
                SELECT user_id, bot_id, priority, gender, age, want_gender, want_age_min, want_age_max, enqueued_at, expires_at
                FROM ac_queue q WHERE q.user_id <> :me AND q.expires_at > :now""");
        if (vip && me.wantGender() != null) {
            sql.append(" AND q.gender = :wantGender");
        }
        if (vip && me.wantAgeMin() != null) {
            sql.append(" AND q.age >= :ageMin");
        }
        if (vip && me.wantAgeMax() != null) {
            sql.append(" AND q.age <= :ageMax");
        }
        sql.append("""
                 AND (q.want_gender IS NULL OR q.want_gender = :myGender)
                 AND (q.want_age_min IS NULL OR q.want_age_min <= :myAge)
                 AND (q.want_age_max IS NULL OR q.want_age_max >= :myAge)
                 AND NOT EXISTS (SELECT 1 FROM ac_recent r WHERE r.user_id = :me AND r.partner_id = q.user_id AND r.until_at > :now)
                ORDER BY q.priority DESC, q.enqueued_at, q.user_id LIMIT 1""");
        var query = h().createQuery(sql.toString()).bind("me", me.userId()).bind("now", now)
                .bind("myGender", me.gender() == null ? "" : me.gender())
                .bind("myAge", me.age() == null ? 0 : me.age());
        if (vip && me.wantGender() != null) {
            query.bind("wantGender", me.wantGender());
        }
        if (vip && me.wantAgeMin() != null) {
            query.bind("ageMin", me.wantAgeMin());
        }
        if (vip && me.wantAgeMax() != null) {
            query.bind("ageMax", me.wantAgeMax());
        }
        return query.map(WAITING).findOne();
    }

    default boolean isWaiting(long userId) {
        return h().createQuery("SELECT count(*) FROM ac_queue WHERE user_id = :id").bind("id", userId)
                .mapTo(Integer.class).one() > 0;
    }

    default void enqueue(Profile me, long botId, boolean vip, long now, long expiresAt) {
        h().createUpdate("""
                        INSERT INTO ac_queue (user_id, bot_id, priority, gender, age, want_gender, want_age_min, want_age_max,
                            enqueued_at, expires_at)
                        VALUES (:id, :bot, :priority, :gender, :age, :wantGender, :ageMin, :ageMax, :now, :expires)
                        ON CONFLICT (user_id) DO UPDATE SET bot_id = excluded.bot_id, priority = excluded.priority,
                            gender = excluded.gender, age = excluded.age, want_gender = excluded.want_gender,
                            want_age_min = excluded.want_age_min, want_age_max = excluded.want_age_max,
                            expires_at = excluded.expires_at""")
                .bind("id", me.userId()).bind("bot", botId).bind("priority", vip ? 1 : 0)
                .bind("gender", me.gender()).bind("age", me.age())
                .bind("wantGender", vip ? me.wantGender() : null)
                .bind("ageMin", vip ? me.wantAgeMin() : null)
                .bind("ageMax", vip ? me.wantAgeMax() : null)
                .bind("now", now).bind("expires", expiresAt).execute();
    }

    /** Leaves the queue; true when the user was in it. */
    default boolean dequeue(long userId) {
        return h().createUpdate("DELETE FROM ac_queue WHERE user_id = :id").bind("id", userId).execute() > 0;
    }

    default List<Waiting> expiredSearches(long now, int limit) {
        return h().createQuery("""
                        SELECT user_id, bot_id, priority, gender, age, want_gender, want_age_min, want_age_max, enqueued_at, expires_at
                        FROM ac_queue WHERE expires_at <= :now ORDER BY expires_at LIMIT :limit""")
                .bind("now", now).bind("limit", limit).map(WAITING).list();
    }

    // ---- conversations ----

    record Active(long userId, long conversation, long ownBot, long partnerId, long partnerBot, long startedAt) {
    }

    record Conversation(long id, long userA, long botA, long userB, long botB, long startedAt, Long endedAt) {
        long partnerOf(long userId) {
            return userId == userA ? userB : userA;
        }
    }

    default Optional<Active> active(long userId) {
        return h().createQuery("SELECT user_id, conversation, own_bot, partner_id, partner_bot, started_at FROM ac_active WHERE user_id = :id")
                .bind("id", userId).map(ACTIVE).findOne();
    }

    /** Starts a conversation; the primary key of ac_active refuses anyone already in one. */
    default long startConversation(long userA, long botA, long userB, long botB, long now) {
        long id = h().createUpdate("""
                        INSERT INTO ac_conversations (user_a, bot_a, user_b, bot_b, started_at)
                        VALUES (:a, :botA, :b, :botB, :now)""")
                .bind("a", userA).bind("botA", botA).bind("b", userB).bind("botB", botB).bind("now", now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        var insert = h().prepareBatch("""
                INSERT INTO ac_active (user_id, conversation, own_bot, partner_id, partner_bot, started_at)
                VALUES (:user, :conversation, :own, :partner, :partnerBot, :now)""");
        insert.bind("user", userA).bind("conversation", id).bind("own", botA).bind("partner", userB)
                .bind("partnerBot", botB).bind("now", now).add();
        insert.bind("user", userB).bind("conversation", id).bind("own", botB).bind("partner", userA)
                .bind("partnerBot", botA).bind("now", now).add();
        insert.execute();
        return id;
    }

    /**
     * Ends a conversation if it is still active; true when this call ended it. The rows are taken
     * by one DELETE ... RETURNING, so of two transactions ending the same conversation at once
     * (both partners pressing /next) only the one whose DELETE removed them goes on: on
     * PostgreSQL the other's DELETE waits for the first to commit and then finds nothing. (A
     * SELECT first, then the DELETE, let both go on: both sides were told twice, and the late
     * "your partner ended the chat" reached a user already in a new chat.)
     */
    default boolean endConversation(long conversation, long endedBy, String reason, long now, long recentUntil) {
        List<Active> rows = h().createQuery("""
                        DELETE FROM ac_active WHERE conversation = :c
                        RETURNING user_id, conversation, own_bot, partner_id, partner_bot, started_at""")
                .bind("c", conversation).map(ACTIVE).list();
        if (rows.isEmpty()) {
            return false;
        }
        h().createUpdate("UPDATE ac_conversations SET ended_at = :now, ended_by = :by, end_reason = :reason WHERE id = :c")
                .bind("now", now).bind("by", endedBy).bind("reason", reason).bind("c", conversation).execute();
        if (recentUntil > now) {
            var recent = h().prepareBatch("""
                    INSERT INTO ac_recent (user_id, partner_id, until_at) VALUES (:user, :partner, :until)
                    ON CONFLICT (user_id, partner_id) DO UPDATE SET until_at = excluded.until_at""");
            for (Active row : rows) {
                recent.bind("user", row.userId()).bind("partner", row.partnerId()).bind("until", recentUntil).add();
            }
            recent.execute();
        }
        return true;
    }

    /** The user's latest conversation (ended or not) started after {@code since}. */
    default Optional<Conversation> lastConversation(long userId, long since) {
        return h().createQuery("""
                        SELECT id, user_a, bot_a, user_b, bot_b, started_at, ended_at FROM ac_conversations
                        WHERE (user_a = :id OR user_b = :id) AND started_at >= :since ORDER BY started_at DESC, id DESC LIMIT 1""")
                .bind("id", userId).bind("since", since).map(CONVERSATION).findOne();
    }

    default Optional<Conversation> conversation(long id) {
        return h().createQuery("SELECT id, user_a, bot_a, user_b, bot_b, started_at, ended_at FROM ac_conversations WHERE id = :id")
                .bind("id", id).map(CONVERSATION).findOne();
    }

    // ---- message map ----

    record MappedMessage(long peerBot, long peerChat, long peerMessageId, long conversation) {
    }

    default void mapMessages(long botId, long chatId, long messageId, long peerBot, long peerChat, long peerMessageId,
                             long conversation, long now) {
        var batch = h().prepareBatch("""
                INSERT INTO ac_messages (bot_id, chat_id, message_id, peer_bot, peer_chat, peer_message_id, conversation, created_at)
                VALUES (:bot, :chat, :message, :peerBot, :peerChat, :peerMessage, :conversation, :now)
                ON CONFLICT (bot_id, chat_id, message_id) DO UPDATE SET peer_bot = excluded.peer_bot,
                    peer_chat = excluded.peer_chat, peer_message_id = excluded.peer_message_id,
                    conversation = excluded.conversation, created_at = excluded.created_at""");
        batch.bind("bot", botId).bind("chat", chatId).bind("message", messageId).bind("peerBot", peerBot)
                .bind("peerChat", peerChat).bind("peerMessage", peerMessageId).bind("conversation", conversation)
                .bind("now", now).add();
        batch.bind("bot", peerBot).bind("chat", peerChat).bind("message", peerMessageId).bind("peerBot", botId)
                .bind("peerChat", chatId).bind("peerMessage", messageId).bind("conversation", conversation)
                .bind("now", now).add();
        batch.execute();
    }

    default Optional<MappedMessage> peerOf(long botId, long chatId, long messageId, long notBefore) {
        return h().createQuery("""
                        SELECT peer_bot, peer_chat, peer_message_id, conversation FROM ac_messages
                        WHERE bot_id = :bot AND chat_id = :chat AND message_id = :message AND created_at >= :notBefore""")
                .bind("bot", botId).bind("chat", chatId).bind("message", messageId).bind("notBefore", notBefore)
                .map(MAPPED).findOne();
    }

    default int purgeMessages(long before) {
        return h().createUpdate("DELETE FROM ac_messages WHERE created_at < :before").bind("before", before).execute();
    }

    default int purgeRecent(long now) {
        return h().createUpdate("DELETE FROM ac_recent WHERE until_at <= :now").bind("now", now).execute();
    }

    // ---- albums ----

    record AlbumPart(long botId, long userId, String mediaGroupId, long messageId, String payload, long receivedAt) {
    }

    default void addAlbumPart(long botId, long userId, String groupId, long messageId, String payload, long now) {
        h().createUpdate("""
                        INSERT INTO ac_album_parts (bot_id, user_id, media_group_id, message_id, payload, received_at)
                        VALUES (:bot, :user, :group, :message, :payload, :now) ON CONFLICT DO NOTHING""")
                .bind("bot", botId).bind("user", userId).bind("group", groupId).bind("message", messageId)
                .bind("payload", payload).bind("now", now).execute();
    }

    default List<AlbumPart> albumParts(long botId, long userId) {
        return h().createQuery("""
                        SELECT bot_id, user_id, media_group_id, message_id, payload, received_at FROM ac_album_parts
                        WHERE bot_id = :bot AND user_id = :user ORDER BY media_group_id, message_id""")
                .bind("bot", botId).bind("user", userId).map(ALBUM_PART).list();
    }

    /** (bot, user) pairs with an album whose newest part arrived before {@code quietSince}. */
    default List<long[]> settledAlbums(long quietSince, int limit) {
        return h().createQuery("""
                        SELECT bot_id, user_id FROM ac_album_parts GROUP BY bot_id, user_id
                        HAVING max(received_at) < :since LIMIT :limit""")
                .bind("since", quietSince).bind("limit", limit)
                .map((rs, ctx) -> new long[]{rs.getLong(1), rs.getLong(2)}).list();
    }

    default void deleteAlbumParts(long botId, long userId) {
        h().createUpdate("DELETE FROM ac_album_parts WHERE bot_id = :bot AND user_id = :user")
                .bind("bot", botId).bind("user", userId).execute();
    }
}
