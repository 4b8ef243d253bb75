package dev.telescale.airdrop;

import dev.telescale.runtime.storage.RecordMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.sqlobject.SqlObject;

/**
 * The airdrop application's tables (ad_*), bound to the transaction of the update, task run or web
 * request that asked for it. Every credit is a ledger row with a unique idempotency key followed by
 * an atomic increment of the cached balance in the same transaction: a double press, a
 * redelivered update or two instances racing insert the key once, and only the one that inserted
 * it adds the points. No read-then-write anywhere a race could double a credit. SQL common to
 * SQLite and PostgreSQL (ON CONFLICT, RETURNING).
 */
public interface Store extends SqlObject {
    String USER_COLUMNS = """
            no, user_id, bot_id, lang, referral_code, referrer_no, status, flag_reason, verified_at, fingerprint,
            client_ip, premium <> 0 AS premium, wallet, wallet_key, wallet_chain, wallet_changed_at, points, invites,
            streak, last_checkin_day, captcha_answer, captcha_expires, captcha_failures, awaiting_proof,
            banned <> 0 AS banned, ban_reason, created_at""";

    RowMapper<Member> MEMBER = RecordMapper.of(Member.class);
    RowMapper<Task> TASK = RecordMapper.of(Task.class);
    RowMapper<Entry> ENTRY = RecordMapper.of(Entry.class);
    RowMapper<Claim> CLAIM = RecordMapper.of(Claim.class);
    RowMapper<Leader> LEADER = RecordMapper.of(Leader.class);
    RowMapper<Submission> SUBMISSION = RecordMapper.of(Submission.class);

    /** A user of the airdrop; {@code no} is the internal number admins see. */
    record Member(long no, long userId, long botId, String lang, String referralCode, Long referrerNo, String status,
                  String flagReason, Long verifiedAt, String fingerprint, String clientIp, boolean premium, String wallet,
                  String walletKey, String walletChain, Long walletChangedAt, long points, int invites, int streak,
                  Long lastCheckinDay, String captchaAnswer, Long captchaExpires, int captchaFailures, Long awaitingProof,
                  boolean banned, String banReason, long createdAt) {
        public boolean verified() {
            return status.equals(VERIFIED);
        }
    }

    String NEW = "new";
    String VERIFIED = "verified";
    String HELD = "held";
    String BLOCKED = "blocked";

    record Task(long id, String kind, String title, long points, String chat, String url, String pattern, Integer target,
                boolean active, int position) {
    }

    record Entry(long id, long userNo, long amount, String kind, String idemKey, String note, long createdAt) {
    }

    record Claim(long id, long userNo, long points, String wallet, String chain, String status, String reason,
                 long createdAt, Long exportedAt, Long paidAt) {
    }

    record Leader(long no, long points, String wallet) {
    }

    record Submission(long userNo, long taskId, String period, String status, String proof, String reason, long createdAt,
                      String title) {
    }

    private Handle handle() {
        return getHandle();
    }

    // ---- users ----

    default Optional<Member> member(long userId) {
        return handle().createQuery("SELECT " + USER_COLUMNS + " FROM ad_users WHERE user_id = :id")
                .bind("id", userId).map(MEMBER).findOne();
    }

    default Optional<Member> memberByNo(long no) {
        return handle().createQuery("SELECT " + USER_COLUMNS + " FROM ad_users WHERE no = :no")
                .bind("no", no).map(MEMBER).findOne();
    }

    default Optional<Member> memberByCode(String code) {
        return handle().createQuery("SELECT " + USER_COLUMNS + " FROM ad_users WHERE referral_code = :code")
                .bind("code", code).map(MEMBER).findOne();
    }

    /**
     * Creates the user unless they exist (first touch wins: a referrer is recorded only here, and
     * only a user who existed before can be one, so referrals never form a cycle). Returns the
     * user and whether this call created them.
     */
    default Created createMember(long userId, long botId, String lang, boolean premium, Long referrerNo, String code, long now) {
        int inserted = handle().createUpdate("""
                        INSERT INTO ad_users (user_id, bot_id, lang, referral_code, referrer_no, premium, created_at, last_active_at)
                        VALUES (:id, :bot, :lang, :code, :ref, :premium, :now, :now) ON CONFLICT (user_id) DO NOTHING""")
                .bind("id", userId).bind("bot", botId).bind("lang", lang).bind("code", code).bind("ref", referrerNo)
                .bind("premium", premium ? 1 : 0).bind("now", now).execute();
        return new Created(member(userId).orElseThrow(), inserted == 1);
    }

    record Created(Member member, boolean isNew) {
    }

    default boolean codeTaken(String code) {
        return handle().createQuery("SELECT 1 FROM ad_users WHERE referral_code = :code").bind("code", code)
                .mapTo(Integer.class).findOne().isPresent();
    }

    /** Records activity, the bot the user talks to now, and what Telegram says of Premium. */
    default void touch(long no, long botId, boolean premium, String lang, long now) {
        handle().createUpdate("""
                        UPDATE ad_users SET bot_id = :bot, premium = :premium, lang = :lang, last_active_at = :now, blocked_bot = 0
                        WHERE no = :no""")
                .bind("no", no).bind("bot", botId).bind("premium", premium ? 1 : 0).bind("lang", lang).bind("now", now)
                .execute();
    }

    default void setBlockedBot(long userId, boolean blocked) {
        handle().createUpdate("UPDATE ad_users SET blocked_bot = :b WHERE user_id = :id")
                .bind("b", blocked ? 1 : 0).bind("id", userId).execute();
    }

    default void setCaptcha(long no, String answer, Long expires) {
        handle().createUpdate("UPDATE ad_users SET captcha_answer = :a, captcha_expires = :e WHERE no = :no")
                .bind("a", answer).bind("e", expires).bind("no", no).execute();
    }

    default void countCaptchaFailure(long no) {
        handle().createUpdate("UPDATE ad_users SET captcha_failures = captcha_failures + 1, captcha_answer = NULL WHERE no = :no")
                .bind("no", no).execute();
    }

    /**
     * Moves a user from 'new' to {@code status} once: true only for the call that did it, so the
     * referral credit that follows a verification happens once however many requests race.
     */
    default boolean finishVerification(long no, String status, String flagReason, String via, String fingerprint,
                                       String clientIp, long now) {
        return handle().createUpdate("""
                        UPDATE ad_users SET status = :status, flag_reason = :reason, verified_at = :now, verified_via = :via,
                            fingerprint = :fp, client_ip = :ip, captcha_answer = NULL, captcha_expires = NULL
                        WHERE no = :no AND status = 'new'""")
                .bind("status", status).bind("reason", flagReason).bind("now", now).bind("via", via)
                .bind("fp", fingerprint).bind("ip", clientIp).bind("no", no).execute() == 1;
    }

    /** Sets a status from {@code from} to {@code to} (admin review); true when it changed. */
    default boolean changeStatus(long no, String from, String to, String reason) {
        return handle().createUpdate("UPDATE ad_users SET status = :to, flag_reason = :reason WHERE no = :no AND status = :from")
                .bind("to", to).bind("reason", reason).bind("no", no).bind("from", from).execute() == 1;
    }

    default long countWithFingerprint(String fingerprint) {
        return handle().createQuery("SELECT count(*) FROM ad_users WHERE fingerprint = :fp")
                .bind("fp", fingerprint).mapTo(Long.class).one();
    }

    default long countWithAddress(String clientIp) {
        return handle().createQuery("SELECT count(*) FROM ad_users WHERE client_ip = :ip")
                .bind("ip", clientIp).mapTo(Long.class).one();
    }

    /** Flags every verified account that shares a device fingerprint or an address: they go to {@code status}. */
    default int flagSharing(String fingerprint, String clientIp, String status, String reason) {
        return handle().createUpdate("""
                        UPDATE ad_users SET status = :status, flag_reason = :reason
                        WHERE status = 'verified' AND (fingerprint = :fp OR client_ip = :ip)""")
                .bind("status", status).bind("reason", reason).bind("fp", fingerprint).bind("ip", clientIp).execute();
    }

    default void addInvite(long no) {
        handle().createUpdate("UPDATE ad_users SET invites = invites + 1 WHERE no = :no").bind("no", no).execute();
    }

    default void setBan(long no, boolean banned, String reason) {
        handle().createUpdate("UPDATE ad_users SET banned = :b, ban_reason = :r WHERE no = :no")
                .bind("b", banned ? 1 : 0).bind("r", reason).bind("no", no).execute();
    }

    default void setAwaitingProof(long no, Long taskId) {
        handle().createUpdate("UPDATE ad_users SET awaiting_proof = :t WHERE no = :no").bind("t", taskId).bind("no", no).execute();
    }

    /** Sets the wallet; false when another account has it (the unique index decides, not a prior read). */
    default boolean setWallet(long no, String display, String key, String chain, long now) {
        int changed = handle().createUpdate("""
                        UPDATE ad_users SET wallet = :w, wallet_key = :k, wallet_chain = :c, wallet_changed_at = :now
                        WHERE no = :no AND NOT EXISTS (SELECT 1 FROM ad_users o WHERE o.wallet_key = :k AND o.no <> :no)""")
                .bind("w", display).bind("k", key).bind("c", chain).bind("now", now).bind("no", no).execute();
        return changed == 1;
    }

    default boolean walletTakenByOther(long no, String key) {
        return handle().createQuery("SELECT 1 FROM ad_users WHERE wallet_key = :k AND no <> :no")
                .bind("k", key).bind("no", no).mapTo(Integer.class).findOne().isPresent();
    }

    default List<Member> invitees(long referrerNo, int limit) {
        return handle().createQuery("SELECT " + USER_COLUMNS + " FROM ad_users WHERE referrer_no = :no ORDER BY no LIMIT :limit")
                .bind("no", referrerNo).bind("limit", limit).map(MEMBER).list();
    }

    // ---- ledger ----

    /**
     * Credits {@code amount} (negative: a debit) once per {@code idemKey}: true when this call
     * credited, false when the key was used before (nothing changes then).
     */
    default boolean credit(long userNo, long amount, String kind, String idemKey, String note, long now) {
        int inserted = handle().createUpdate("""
                        INSERT INTO ad_ledger (user_no, amount, kind, idem_key, note, created_at)
                        VALUES (:no, :amount, :kind, :key, :note, :now) ON CONFLICT (idem_key) DO NOTHING""")
                .bind("no", userNo).bind("amount", amount).bind("kind", kind).bind("key", idemKey).bind("note", note)
                .bind("now", now).execute();
        if (inserted == 0) {
            return false;
        }
        handle().createUpdate("UPDATE ad_users SET points = points + :amount WHERE no = :no")
                .bind("amount", amount).bind("no", userNo).execute();
        return true;
    }

    default boolean credited(String idemKey) {
        return handle().createQuery("SELECT 1 FROM ad_ledger WHERE idem_key = :key").bind("key", idemKey)
                .mapTo(Integer.class).findOne().isPresent();
    }

    default List<Entry> ledger(long userNo, int limit) {
        return handle().createQuery("""
                        SELECT id, user_no, amount, kind, idem_key, note, created_at FROM ad_ledger
                        WHERE user_no = :no ORDER BY id DESC LIMIT :limit""")
                .bind("no", userNo).bind("limit", limit).map(ENTRY).list();
    }

    default long ledgerSum(long userNo) {
        return handle().createQuery("SELECT COALESCE(SUM(amount), 0) FROM ad_ledger WHERE user_no = :no")
                .bind("no", userNo).mapTo(Long.class).one();
    }

    // ---- leaderboard ----

    default List<Leader> top(int limit) {
        return handle().createQuery("""
                        SELECT no, points, wallet FROM ad_users WHERE points > 0 ORDER BY points DESC, no LIMIT :limit""")
                .bind("limit", limit).map(LEADER).list();
    }

    /** 1 + the users with more points, from the rank counts (as fresh as the last {@link #refreshRanks}). */
    default long rankOf(long points) {
        return 1 + handle().createQuery("SELECT COALESCE(SUM(users), 0) FROM ad_rank_counts WHERE points > :p")
                .bind("p", points).mapTo(Long.class).one();
    }

    /**
     * Brings the rank counts up to date for at most {@code limit} users whose points changed since
     * they were last counted (the partial index ad_users_unranked finds them without a scan). A
     * user is moved only if their points are still what was read, so a concurrent credit leaves
     * them for the next run instead of being counted wrongly. Returns how many were moved. Users
     * are taken newest first: a verification locks the invitee, then the older inviter, so this
     * order never waits for the two the other way round (no deadlock on PostgreSQL).
     */
    default int refreshRanks(int limit) {
        List<long[]> changed = handle().createQuery("""
                        SELECT no, points, ranked_points FROM ad_users WHERE points <> ranked_points ORDER BY no DESC LIMIT :limit""")
                .bind("limit", limit).map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).list();
        if (changed.isEmpty()) {
            return 0;
        }
        var batch = handle().prepareBatch("UPDATE ad_users SET ranked_points = :p WHERE no = :no AND points = :p AND ranked_points = :old");
        for (long[] row : changed) {
            batch.bind("p", row[1]).bind("no", row[0]).bind("old", row[2]).add();
        }
        int[] counts = batch.execute();
        Map<Long, Long> deltas = new HashMap<>();
        int moved = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 1) {
                continue;
            }
            moved++;
            long[] row = changed.get(i);
            if (row[2] > 0) {
                deltas.merge(row[2], -1L, Long::sum);
            }
            if (row[1] > 0) {
                deltas.merge(row[1], 1L, Long::sum);
            }
        }
        List<Map.Entry<Long, Long>> sorted = new ArrayList<>(deltas.entrySet());
        sorted.sort(Map.Entry.comparingByKey()); // one lock order for every run
        var upsert = handle().prepareBatch("""
                INSERT INTO ad_rank_counts (points, users) VALUES (:p, :d)
                ON CONFLICT (points) DO UPDATE SET users = ad_rank_counts.users + excluded.users""");
        boolean any = false;
        for (Map.Entry<Long, Long> delta : sorted) {
            if (delta.getValue() != 0) {
                upsert.bind("p", delta.getKey()).bind("d", delta.getValue()).add();
                any = true;
            }
        }
        if (any) {
            upsert.execute();
            handle().createUpdate("DELETE FROM ad_rank_counts WHERE users <= 0").execute();
        }
        return moved;
    }

    // ---- tasks ----

    default List<Task> activeTasks() {
        return handle().createQuery("""
                        SELECT id, kind, title, points, chat, url, pattern, target, active <> 0 AS active, position
                        FROM ad_tasks WHERE active <> 0 ORDER BY position, id""").map(TASK).list();
    }

    default List<Task> allTasks() {
        return handle().createQuery("""
                        SELECT id, kind, title, points, chat, url, pattern, target, active <> 0 AS active, position
                        FROM ad_tasks ORDER BY position, id""").map(TASK).list();
    }

    default Optional<Task> task(long id) {
        return handle().createQuery("""
                        SELECT id, kind, title, points, chat, url, pattern, target, active <> 0 AS active, position
                        FROM ad_tasks WHERE id = :id""").bind("id", id).map(TASK).findOne();
    }

    default long createTask(String kind, String title, long points, String chat, String url, String pattern, Integer target,
                            int position, long now) {
        return handle().createUpdate("""
                        INSERT INTO ad_tasks (kind, title, points, chat, url, pattern, target, position, created_at)
                        VALUES (:kind, :title, :points, :chat, :url, :pattern, :target, :position, :now)""")
                .bind("kind", kind).bind("title", title).bind("points", points).bind("chat", chat).bind("url", url)
                .bind("pattern", pattern).bind("target", target).bind("position", position).bind("now", now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    default boolean updateTask(long id, String title, long points, String chat, String url, String pattern, Integer target,
                               int position, boolean active) {
        return handle().createUpdate("""
                        UPDATE ad_tasks SET title = :title, points = :points, chat = :chat, url = :url, pattern = :pattern,
                            target = :target, position = :position, active = :active WHERE id = :id""")
                .bind("title", title).bind("points", points).bind("chat", chat).bind("url", url).bind("pattern", pattern)
                .bind("target", target).bind("position", position).bind("active", active ? 1 : 0).bind("id", id)
                .execute() == 1;
    }

    /** The state of a user's task in a period, or empty when never attempted. */
    default Optional<String> taskStatus(long userNo, long taskId, String period) {
        return handle().createQuery("SELECT status FROM ad_task_done WHERE user_no = :u AND task_id = :t AND period = :p")
                .bind("u", userNo).bind("t", taskId).bind("p", period).mapTo(String.class).findOne();
    }

    default Map<Long, String> taskStatuses(long userNo, String today) {
        Map<Long, String> statuses = new HashMap<>();
        handle().createQuery("SELECT task_id, status FROM ad_task_done WHERE user_no = :u AND (period = 'once' OR period = :today)")
                .bind("u", userNo).bind("today", today)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2))).forEach(e -> statuses.put(e.getKey(), e.getValue()));
        return statuses;
    }

    /** Records a task as {@code status} once per (user, task, period); true when this call recorded it. */
    default boolean recordTask(long userNo, long taskId, String period, String status, String proof, long now) {
        return handle().createUpdate("""
                        INSERT INTO ad_task_done (user_no, task_id, period, status, proof, created_at)
                        VALUES (:u, :t, :p, :s, :proof, :now) ON CONFLICT (user_no, task_id, period) DO NOTHING""")
                .bind("u", userNo).bind("t", taskId).bind("p", period).bind("s", status).bind("proof", proof).bind("now", now)
                .execute() == 1;
    }

    /** A rejected submission may be sent again: it becomes pending with the new proof. */
    default boolean resubmit(long userNo, long taskId, String proof, long now) {
        return handle().createUpdate("""
                        UPDATE ad_task_done SET status = 'pending', proof = :proof, reason = NULL, created_at = :now, reviewed_at = NULL
                        WHERE user_no = :u AND task_id = :t AND period = 'once' AND status = 'rejected'""")
                .bind("proof", proof).bind("now", now).bind("u", userNo).bind("t", taskId).execute() == 1;
    }

    /** Moves a pending submission to done or rejected; true for the one call that did it. */
    default boolean review(long userNo, long taskId, String status, String reason, long now) {
        return handle().createUpdate("""
                        UPDATE ad_task_done SET status = :s, reason = :r, reviewed_at = :now
                        WHERE user_no = :u AND task_id = :t AND period = 'once' AND status = 'pending'""")
                .bind("s", status).bind("r", reason).bind("now", now).bind("u", userNo).bind("t", taskId).execute() == 1;
    }

    default List<Submission> pendingSubmissions(int limit) {
        return handle().createQuery("""
                        SELECT d.user_no, d.task_id, d.period, d.status, d.proof, d.reason, d.created_at, t.title
                        FROM ad_task_done d JOIN ad_tasks t ON t.id = d.task_id
                        WHERE d.status = 'pending' ORDER BY d.created_at LIMIT :limit""")
                .bind("limit", limit).map(SUBMISSION).list();
    }

    default List<Submission> submissionsOf(long userNo) {
        return handle().createQuery("""
                        SELECT d.user_no, d.task_id, d.period, d.status, d.proof, d.reason, d.created_at, t.title
                        FROM ad_task_done d JOIN ad_tasks t ON t.id = d.task_id
                        WHERE d.user_no = :u ORDER BY d.created_at DESC LIMIT 50""")
                .bind("u", userNo).map(SUBMISSION).list();
    }

    // ---- claims ----

    default Optional<Claim> openClaim(long userNo) {
        return handle().createQuery("""
                        SELECT id, user_no, points, wallet, chain, status, reason, created_at, exported_at, paid_at
                        FROM ad_claims WHERE open_user = :u""").bind("u", userNo).map(CLAIM).findOne();
    }

    /** Opens a claim unless the user has one open (the unique open_user decides); its id, or empty. */
    default Optional<Long> openClaim(long userNo, long points, String wallet, String chain, long now) {
        return handle().createQuery("""
                        INSERT INTO ad_claims (user_no, points, wallet, chain, status, open_user, created_at)
                        VALUES (:u, :points, :wallet, :chain, 'open', :u, :now) ON CONFLICT (open_user) DO NOTHING RETURNING id""")
                .bind("u", userNo).bind("points", points).bind("wallet", wallet).bind("chain", chain).bind("now", now)
                .mapTo(Long.class).findOne();
    }

    default Optional<Claim> claim(long id) {
        return handle().createQuery("""
                        SELECT id, user_no, points, wallet, chain, status, reason, created_at, exported_at, paid_at
                        FROM ad_claims WHERE id = :id""").bind("id", id).map(CLAIM).findOne();
    }

    default List<Claim> claims(String status, long afterId, int limit) {
        return handle().createQuery("""
                        SELECT id, user_no, points, wallet, chain, status, reason, created_at, exported_at, paid_at
                        FROM ad_claims WHERE (:status = '' OR status = :status) AND id > :after ORDER BY id LIMIT :limit""")
                .bind("status", status).bind("after", afterId).bind("limit", limit).map(CLAIM).list();
    }

    default int markClaimsExported(List<Long> ids, long now) {
        if (ids.isEmpty()) {
            return 0;
        }
        return handle().createUpdate("UPDATE ad_claims SET status = 'exported', exported_at = :now WHERE status = 'open' AND id IN (<ids>)")
                .bindList("ids", ids).bind("now", now).execute();
    }

    /** Closes a claim as paid or rejected from one of {@code from}; true for the call that did it. */
    default boolean closeClaim(long id, String status, String reason, long now) {
        return handle().createUpdate("""
                        UPDATE ad_claims SET status = :s, reason = :r, paid_at = :now, open_user = NULL
                        WHERE id = :id AND status IN ('open', 'exported')""")
                .bind("s", status).bind("r", reason).bind("now", now).bind("id", id).execute() == 1;
    }

    // ---- settings ----

    default Optional<String> setting(String name) {
        return handle().createQuery("SELECT value FROM ad_settings WHERE name = :n").bind("n", name).mapTo(String.class).findOne();
    }

    default void setSetting(String name, String value) {
        handle().createUpdate("""
                        INSERT INTO ad_settings (name, value) VALUES (:n, :v)
                        ON CONFLICT (name) DO UPDATE SET value = excluded.value""").bind("n", name).bind("v", value).execute();
    }

    // ---- Mini App initData replay ----

    /** Remembers an initData's hash until it expires; false when it was used before. */
    default boolean useInitData(String hash, long expiresAt) {
        return handle().createUpdate("""
                        INSERT INTO ad_initdata_used (hash, expires_at) VALUES (:h, :e) ON CONFLICT (hash) DO NOTHING""")
                .bind("h", hash).bind("e", expiresAt).execute() == 1;
    }

    default int purgeInitData(long now) {
        return handle().createUpdate("DELETE FROM ad_initdata_used WHERE expires_at < :now").bind("now", now).execute();
    }

    default boolean isPostgres() {
        try {
            return handle().getConnection().getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- figures ----

    default long count(String sql) {
        return handle().createQuery(sql).mapTo(Long.class).one();
    }
}
