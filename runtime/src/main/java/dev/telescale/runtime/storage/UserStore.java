package dev.telescale.runtime.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Telegram users as last seen (shared by all bots) and, per bot, whether a user can still be
 * reached. A user no row speaks of is {@value #REACHABLE}. Last write wins: profiles and statuses
 * are overwritten, never merged.
 *
 * <p>Thread-safe (stateless besides the database).
 */
public final class UserStore {
    public static final String REACHABLE = "reachable";
    public static final String BLOCKED = "blocked";
    public static final String DEACTIVATED = "deactivated";
    public static final String NEVER_STARTED = "never_started";
    private static final Set<String> STATUSES = Set.of(REACHABLE, BLOCKED, DEACTIVATED, NEVER_STARTED);
    private static final String UPSERT_USER = """
            INSERT INTO telegram_users (user_id, first_name, last_name, username, language_code, is_premium, updated_at)
            VALUES (:userId, :firstName, :lastName, :username, :languageCode, :premium, :now)
            ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
                username = excluded.username, language_code = excluded.language_code, is_premium = excluded.is_premium,
                updated_at = excluded.updated_at""";
    private static final String FIND_USER = """
            SELECT user_id, first_name, last_name, username, language_code, is_premium FROM telegram_users
            WHERE user_id = :userId""";
    private static final String UPSERT_STATUS = """
            INSERT INTO bot_user_status (bot_id, user_id, status, updated_at) VALUES (:botId, :userId, :status, :now)
            ON CONFLICT (bot_id, user_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at""";
    private static final String STATUS = "SELECT status FROM bot_user_status WHERE bot_id = :botId AND user_id = :userId";
    private static final String COUNT_USERS = "SELECT count(*) FROM telegram_users";

    private final Database db;
    private final InstantSource clock;

    /** A store stamping updates with the system clock. */
    public UserStore(Database db) {
        this(db, InstantSource.system());
    }

    public UserStore(Database db, InstantSource clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Inserts or overwrites the profiles in one transaction; of one user listed twice the later wins. */
    public void upsertUsers(List<TelegramUser> users) {
        if (users.isEmpty()) {
            return;
        }
        // Writing in user id order makes concurrent batches lock rows in one order: no deadlocks.
        List<TelegramUser> lockOrder = users.stream().sorted(Comparator.comparingLong(TelegramUser::userId)).toList();
        long now = clock.millis();
        db.useTransaction(handle -> {
            PreparedBatch batch = handle.prepareBatch(UPSERT_USER);
            for (TelegramUser user : lockOrder) {
                batch.bind("userId", user.userId())
                        .bind("firstName", user.firstName())
                        .bind("lastName", user.lastName())
                        .bind("username", user.username())
                        .bind("languageCode", user.languageCode())
                        .bind("premium", user.premium())
                        .bind("now", now)
                        .add();
            }
            batch.execute();
        });
    }

    public Optional<TelegramUser> find(long userId) {
        return db.withHandle(handle -> handle.createQuery(FIND_USER).bind("userId", userId).map(UserStore::mapUser).findOne());
    }

    /**
     * @param status one of {@value #REACHABLE}, {@value #BLOCKED}, {@value #DEACTIVATED}, {@value #NEVER_STARTED}
     */
    public void setStatus(long botId, long userId, String status) {
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("Unknown user status '" + status + "': use one of " + STATUSES + ".");
        }
        db.inTransaction(handle -> handle.createUpdate(UPSERT_STATUS)
                .bind("botId", botId)
                .bind("userId", userId)
                .bind("status", status)
                .bind("now", clock.millis())
                .execute());
    }

    /** The user's status for this bot; {@value #REACHABLE} when none was recorded. */
    public String status(long botId, long userId) {
        return db.withHandle(handle -> handle.createQuery(STATUS).bind("botId", botId).bind("userId", userId)
                        .mapTo(String.class)
                        .findOne())
                .orElse(REACHABLE);
    }

    public long countUsers() {
        return db.withHandle(handle -> handle.createQuery(COUNT_USERS).mapTo(Long.class).one());
    }

    private static TelegramUser mapUser(ResultSet row, StatementContext context) throws SQLException {
        return new TelegramUser(row.getLong("user_id"), row.getString("first_name"), row.getString("last_name"),
                row.getString("username"), row.getString("language_code"), row.getBoolean("is_premium"));
    }
}
