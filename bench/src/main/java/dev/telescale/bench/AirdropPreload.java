package dev.telescale.bench;

import dev.telescale.runtime.storage.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * Airdrop users written straight into the database before the bot starts ({@code airdrop-mix}):
 * N rows of ad_users (numbers 1..N, a unique referral code each, a distinct device fingerprint and
 * client address for the verified), their telegram_users profiles, and a ledger that sums to each
 * user's points: a 'verify' credit of 100 for every verified user, a 'task' credit for every third
 * one, and a 'referral' credit for the inviters' own invitations. ad_rank_counts is filled from
 * the same points (ranked_points = points), so ranks are exact from the start and the ranks task
 * has nothing to catch up on. Three users in four are verified.
 *
 * <p>P of the rows, spread evenly over the table (row k * N/P), belong to users the emulator
 * knows ({@code simulated}: they are the ones the load generator acts as); they are always
 * verified. Of those, the first {@code active} act (/top, /tasks, /balance) and the rest are
 * inviters whose codes new users start with; every odd inviter was invited by the one before it,
 * so verifying their invitees also credits a second level. Multi-row INSERTs in one transaction,
 * as {@link Preload} writes them.
 */
final class AirdropPreload {
    static final long FIRST_USER_ID = 8_000_000_000L;
    static final long VERIFY_POINTS = 100;
    static final long REFERRAL_POINTS = 50;
    private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();

    /** Where the simulated users landed: row numbers (ad_users.no) and referral codes. */
    record Layout(int users, long[] simulatedNo, String[] simulatedCode, long[] referrerNo, double seconds) {
    }

    private AirdropPreload() {
    }

    static String code(int index) {
        StringBuilder code = new StringBuilder(Long.toString(index, 36));
        while (code.length() < 6) {
            code.insert(0, '0');
        }
        return "p" + code;
    }

    static Layout users(Database database, int users, List<Long> simulated, int active, long botId) {
        long started = System.nanoTime();
        long now = System.currentTimeMillis();
        int p = simulated.size();
        int stride = Math.max(1, users / Math.max(1, p));
        long[] userId = new long[users];
        String[] simulatedName = new String[users];
        boolean[] verified = new boolean[users];
        long[] referrer = new long[users];   // ad_users.no of the inviter, 0: none
        long[] points = new long[users];
        int[] invites = new int[users];
        long[] simulatedNo = new long[p];
        String[] simulatedCode = new String[p];
        long[] simulatedReferrer = new long[p];
        for (int i = 0; i < users; i++) {
            userId[i] = FIRST_USER_ID + i;
            verified[i] = i % 4 != 3;
        }
        for (int k = 0; k < p; k++) {
            int i = k * stride;
            userId[i] = simulated.get(k);
            simulatedName[i] = "Sim" + k;
            verified[i] = true;
            simulatedNo[k] = i + 1L;
            simulatedCode[k] = code(i);
        }
        for (int k = active + 1; k < p; k += 2) {   // odd inviters (counted from the first inviter) were invited by the one before
            if ((k - active) % 2 == 1) {
                int invitee = k * stride;
                int inviter = (k - 1) * stride;
                referrer[invitee] = inviter + 1L;
                simulatedReferrer[k] = inviter + 1L;
                points[inviter] += REFERRAL_POINTS;
                invites[inviter]++;
            }
        }
        for (int i = 0; i < users; i++) {
            if (verified[i]) {
                points[i] += VERIFY_POINTS + taskPoints(i);
            }
        }
        try (Connection connection = database.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            Preload.insert(connection, "telegram_users (user_id, first_name, language_code, is_premium, updated_at)", 5, users,
                    (statement, q, i) -> {
                        statement.setLong(q, userId[i]);
                        // a simulated user's profile exactly as the emulator sends it, so their first update changes nothing
                        statement.setString(q + 1, simulatedName[i] != null ? simulatedName[i] : "Airdrop" + i);
                        statement.setString(q + 2, "en");
                        statement.setBoolean(q + 3, false);
                        statement.setLong(q + 4, now - (i % 30) * DAY_MILLIS);
                    });
            Preload.insert(connection, """
                    ad_users (no, user_id, bot_id, lang, referral_code, referrer_no, status, verified_at, verified_via,
                        fingerprint, client_ip, points, ranked_points, invites, created_at, last_active_at)""", 16, users,
                    (statement, q, i) -> {
                        long created = now - (30 + i % 30) * DAY_MILLIS;
                        statement.setLong(q, i + 1L);
                        statement.setLong(q + 1, userId[i]);
                        statement.setLong(q + 2, botId);
                        statement.setString(q + 3, "en");
                        statement.setString(q + 4, code(i));
                        if (referrer[i] == 0) {
                            statement.setNull(q + 5, java.sql.Types.BIGINT);
                        } else {
                            statement.setLong(q + 5, referrer[i]);
                        }
                        statement.setString(q + 6, verified[i] ? "verified" : "new");
                        if (verified[i]) {
                            statement.setLong(q + 7, created + 60_000);
                            statement.setString(q + 8, "webapp");
                            statement.setString(q + 9, String.format("%016x", 0x5eed000000000000L + i));
                            statement.setString(q + 10, "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
                        } else {
                            statement.setNull(q + 7, java.sql.Types.BIGINT);
                            statement.setNull(q + 8, java.sql.Types.VARCHAR);
                            statement.setNull(q + 9, java.sql.Types.VARCHAR);
                            statement.setNull(q + 10, java.sql.Types.VARCHAR);
                        }
                        statement.setLong(q + 11, points[i]);
                        statement.setLong(q + 12, points[i]);
                        statement.setInt(q + 13, invites[i]);
                        statement.setLong(q + 14, created);
                        statement.setLong(q + 15, now - (i % 30) * DAY_MILLIS);
                    });
            int[] ledgerUser = new int[users * 2 + p];
            String[] ledgerKind = new String[ledgerUser.length];
            long[] ledgerAmount = new long[ledgerUser.length];
            String[] ledgerKey = new String[ledgerUser.length];
            int rows = 0;
            for (int i = 0; i < users; i++) {
                if (!verified[i]) {
                    continue;
                }
                ledgerUser[rows] = i;
                ledgerKind[rows] = "verify";
                ledgerAmount[rows] = VERIFY_POINTS;
                ledgerKey[rows++] = "verify:" + (i + 1);
                if (taskPoints(i) > 0) {
                    ledgerUser[rows] = i;
                    ledgerKind[rows] = "task";
                    ledgerAmount[rows] = taskPoints(i);
                    ledgerKey[rows++] = "preload:task:" + (i + 1);
                }
                if (referrer[i] != 0) {
                    ledgerUser[rows] = (int) referrer[i] - 1;
                    ledgerKind[rows] = "referral";
                    ledgerAmount[rows] = REFERRAL_POINTS;
                    ledgerKey[rows++] = "ref:" + (i + 1);
                }
            }
            Preload.insert(connection, "ad_ledger (user_no, amount, kind, idem_key, note, created_at)", 6, rows,
                    (statement, q, r) -> {
                        statement.setLong(q, ledgerUser[r] + 1L);
                        statement.setLong(q + 1, ledgerAmount[r]);
                        statement.setString(q + 2, ledgerKind[r]);
                        statement.setString(q + 3, ledgerKey[r]);
                        statement.setNull(q + 4, java.sql.Types.VARCHAR);
                        statement.setLong(q + 5, now - (30 + ledgerUser[r] % 30) * DAY_MILLIS + 60_000);
                    });
            try (Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO ad_rank_counts (points, users) "
                        + "SELECT points, count(*) FROM ad_users WHERE points > 0 GROUP BY points");
                if (connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres")) {
                    statement.execute("SELECT setval(pg_get_serial_sequence('ad_users', 'no'), " + users + ")");
                    statement.execute("ANALYZE");
                }
            }
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("preloading " + users + " airdrop users failed: " + e.getMessage(), e);
        }
        return new Layout(users, simulatedNo, simulatedCode, simulatedReferrer, (System.nanoTime() - started) / 1e9);
    }

    private static long taskPoints(int i) {
        return i % 3 == 0 ? 10 + (i % 50) * 10 : 0;
    }
}
