package dev.telescale.anonchat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.app.Outgoing;
import dev.telescale.runtime.app.BroadcastAudience;
import dev.telescale.runtime.app.Broadcasts;
import dev.telescale.runtime.app.TaskContext;
import dev.telescale.runtime.json.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Admin commands (users in ADMIN_IDS): /stats, /broadcast, /broadcasts, /cancel, /ban, /unban,
 * /warn, /reports, /user, /grantvip, /refund. Admin replies are in English; users are named by
 * their internal number.
 *
 * <p>Broadcasts are the runtime's, resumable: the command only stores the admin's message and a
 * segment ({@link dev.telescale.runtime.app.Broadcasts}); the runtime's broadcasts task queues the
 * recipients {@link Audience} lists on the low-priority lane, moving the cursor in the same
 * transaction, so a crash repeats nothing and skips nobody. Within the admin's bot the message is
 * copied; other bots get a fresh send with the media transferred.
 */
final class Admin {
    static final ObjectMapper JSON = Json.newMapper();
    static final List<String> SEGMENTS = List.of("all", "vip", "en", "ru");

    private Admin() {
    }

    /** Handles an admin command; false when the command is not an admin command. */
    static boolean handle(Session s, String command, String argument, JsonNode message) {
        switch (command) {
            case "stats" -> s.say(stats(s));
            case "broadcast" -> broadcast(s, argument, message);
            case "broadcasts" -> s.say(broadcasts(s));
            case "cancel" -> cancel(s, argument);
            case "ban" -> ban(s, argument);
            case "unban" -> unban(s, argument);
            case "warn" -> warn(s, argument);
            case "reports" -> s.say(reports(s));
            case "user" -> user(s, argument);
            case "grantvip" -> grantVip(s, argument);
            case "refund" -> refund(s, argument);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** A user counts as online when their last update is this recent. */
    static final Duration ONLINE_WINDOW = Duration.ofMinutes(5);

    private static long count(Store store, String sql, String name, long value) {
        return store.getHandle().createQuery(sql).bind(name, value).mapTo(Long.class).one();
    }

    private static long count(Store store, String sql) {
        return store.getHandle().createQuery(sql).mapTo(Long.class).one();
    }

    /** The deployment's figures, shown by /stats and on the admin dashboard, in display order. */
    static Map<String, Number> figures(Store store, long now) {
        Map<String, Number> figures = new LinkedHashMap<>();
        figures.put("users", count(store, "SELECT count(*) FROM ac_users"));
        figures.put("online", count(store, "SELECT count(*) FROM ac_users WHERE last_active_at >= :since", "since", now - ONLINE_WINDOW.toMillis()));
        figures.put("active_24h", count(store, "SELECT count(*) FROM ac_users WHERE last_active_at >= :since", "since", now - Duration.ofHours(24).toMillis()));
        figures.put("in_chat", count(store, "SELECT count(*) FROM ac_active"));
        figures.put("waiting", count(store, "SELECT count(*) FROM ac_queue"));
        figures.put("matches_last_hour", count(store, "SELECT count(*) FROM ac_conversations WHERE started_at >= :since", "since",
                now - Duration.ofHours(1).toMillis()));
        figures.put("vip", count(store, "SELECT count(*) FROM ac_users WHERE vip_until > :since", "since", now));
        figures.put("banned", count(store, "SELECT count(*) FROM ac_users WHERE banned_until > :since", "since", now));
        figures.put("open_reports", count(store, "SELECT count(*) FROM ac_reports WHERE status = 'open'"));
        return figures;
    }

    static String stats(Session s) {
        long day = s.now - Duration.ofHours(24).toMillis();
        long hour = s.now - Duration.ofHours(1).toMillis();
        Map<String, Number> figures = figures(s.store, s.now);
        StringBuilder text = new StringBuilder("<b>Statistics</b>\n");
        text.append("Users: ").append(figures.get("users")).append('\n');
        text.append("Active in 24 h: ").append(figures.get("active_24h")).append('\n');
        text.append("In a chat now: ").append(figures.get("in_chat")).append('\n');
        text.append("Searching now: ").append(figures.get("waiting")).append('\n');
        text.append("Matches in the last hour: ").append(figures.get("matches_last_hour")).append('\n');
        text.append("VIP now: ").append(figures.get("vip")).append('\n');
        text.append("Banned now: ").append(figures.get("banned")).append('\n');
        text.append("Open reports: ").append(figures.get("open_reports")).append("\n\n<b>Per bot</b>\n");
        List<Map<String, Object>> perBot = s.store.getHandle().createQuery("""
                        SELECT u.bot_id AS bot, count(*) AS users,
                               sum(CASE WHEN u.last_active_at >= :d THEN 1 ELSE 0 END) AS active,
                               (SELECT count(*) FROM ac_conversations c WHERE c.bot_a = u.bot_id AND c.started_at >= :h)
                             + (SELECT count(*) FROM ac_conversations c WHERE c.bot_b = u.bot_id AND c.started_at >= :h) AS matches
                        FROM ac_users u GROUP BY u.bot_id ORDER BY u.bot_id""")
                .bind("d", day).bind("h", hour).mapToMap().list();
        for (Map<String, Object> row : perBot) {
            text.append("bot ").append(row.get("bot")).append(": ").append(row.get("users")).append(" users, ")
                    .append(row.get("active")).append(" active in 24 h, ").append(row.get("matches"))
                    .append(" match sides in the last hour\n");
        }
        return text.toString();
    }

    private static void broadcast(Session s, String segment, JsonNode message) {
        JsonNode source = message.path("reply_to_message");
        String chosen = segment.isBlank() ? "all" : segment.trim().toLowerCase();
        if (!source.path("message_id").isNumber() || !SEGMENTS.contains(chosen)) {
            s.say("Reply to the message to broadcast with /broadcast [" + String.join("|", SEGMENTS) + "].");
            return;
        }
        long id = startBroadcast(s.store, s.botId, s.userId, source, chosen, s.now);
        s.say("Broadcast #" + id + " to segment " + chosen + " started; /broadcasts shows progress, /cancel " + id + " stops it.");
    }

    /**
     * Starts a broadcast (the runtime's, see {@link Audience}). {@code message} is the admin's
     * message when it is copied from a chat ({@code chatId} is the admin's), or a bare {"text": ...}
     * from the dashboard ({@code chatId} 0: nobody to copy from or to tell when it is fully queued).
     */
    static long startBroadcast(Store store, long botId, long chatId, JsonNode message, String segment, long now) {
        return store.getHandle().attach(Broadcasts.class).start(AnonChatApplication.NAME, segment, message.toString(), botId,
                chatId, segmentSize(store, segment, now, 0), now);
    }

    /** The next recipients of a segment after a user number, in number order. */
    static List<BroadcastAudience.Recipient> recipients(Store store, String segment, long now, long afterNo, int limit) {
        var query = store.getHandle().createQuery("SELECT no, user_id, bot_id FROM ac_users WHERE no > :cursor AND blocked = 0"
                        + " AND onboarded_at IS NOT NULL" + segmentFilter(segment) + " ORDER BY no LIMIT :limit")
                .bind("cursor", afterNo).bind("limit", limit);
        bindSegment(query, segment, now);
        return query.map((rs, ctx) -> new BroadcastAudience.Recipient(rs.getLong("no"), rs.getLong("bot_id"), rs.getLong("user_id")))
                .list();
    }

    /** How many users after a cursor (a user number) a broadcast to a segment reaches now (onboarded, not blocked). */
    static long segmentSize(Store store, String segment, long now, long afterNo) {
        var query = store.getHandle().createQuery("SELECT count(*) FROM ac_users WHERE no > :cursor AND blocked = 0"
                + " AND onboarded_at IS NOT NULL" + segmentFilter(segment)).bind("cursor", afterNo);
        bindSegment(query, segment, now);
        return query.mapTo(Long.class).one();
    }

    private static String segmentFilter(String segment) {
        return switch (segment) {
            case "vip" -> " AND vip_until > :now";
            case "en", "ru" -> " AND lang = :lang";
            default -> "";
        };
    }

    private static void bindSegment(org.jdbi.v3.core.statement.Query query, String segment, long now) {
        if (segment.equals("vip")) {
            query.bind("now", now);
        }
        if (segment.equals("en") || segment.equals("ru")) {
            query.bind("lang", segment);
        }
    }

    private static String broadcasts(Session s) {
        List<Broadcasts.Row> rows = s.store.getHandle().attach(Broadcasts.class).list(AnonChatApplication.NAME, 10);
        if (rows.isEmpty()) {
            return "No broadcasts yet.";
        }
        StringBuilder text = new StringBuilder("<b>Broadcasts</b>\n");
        rows.forEach(row -> text.append('#').append(row.id()).append(' ').append(row.segment()).append(": ")
                .append(row.queued()).append(" queued, ").append(row.status()).append('\n'));
        return text.toString();
    }

    private static void cancel(Session s, String argument) {
        Optional<Long> id = number(argument);
        boolean cancelled = id.isPresent() && s.store.getHandle().attach(Broadcasts.class).cancel(AnonChatApplication.NAME, id.get(), s.now);
        s.say(cancelled ? "Broadcast #" + id.get() + " cancelled (messages already queued still go out)."
                : "Usage: /cancel <running broadcast number>");
    }

    private static Optional<Profile> target(Session s, String argument) {
        String[] words = argument.trim().split("\\s+");
        Optional<Long> no = number(words[0].replace("#u", "").replace("#", ""));
        Optional<Profile> profile = no.flatMap(s.store::profileByNo);
        if (profile.isEmpty()) {
            s.say("No user with that number. Users are named by their number, e.g. /ban 42 1d spam.");
        }
        return profile;
    }

    private static void ban(Session s, String argument) {
        String[] words = argument.trim().split("\\s+", 3);
        Optional<Profile> target = target(s, argument);
        if (target.isEmpty()) {
            return;
        }
        long until = Texts.FOREVER;
        String reason = "admin";
        if (words.length > 1 && !words[1].equals("forever")) {
            try {
                until = s.now + Durations.parse(words[1]).toMillis();
            } catch (IllegalArgumentException e) {
                s.say("Usage: /ban <number> [30m|24h|7d|forever] [reason]");
                return;
            }
        }
        if (words.length > 2) {
            reason = words[2];
        }
        banUser(s, target.get(), until, reason);
        s.say("#u" + target.get().no() + " is banned until " + Texts.date(until, "en") + ".");
    }

    /** Bans a user until a time: their open reports become actioned, they leave the queue or chat, both sides are told. */
    static void banUser(Session s, Profile target, long until, String reason) {
        s.store.update(target.userId(), "banned_until = :until, ban_reason = :reason", "until", until, "reason", reason);
        s.store.getHandle().createUpdate("UPDATE ac_reports SET status = 'actioned' WHERE reported = :u AND status = 'open'")
                .bind("u", target.userId()).execute();
        Moderation.applyBan(s, target, until);
    }

    /** Lifts a ban and tells the user, with the keyboard of their state. */
    static void unbanUser(Session s, Profile target) {
        s.store.update(target.userId(), "banned_until = 0, ban_reason = NULL");
        s.tellWithKeyboard(target.userId(), target.botId(), "ban.lifted");
    }

    private static void unban(Session s, String argument) {
        Optional<Profile> target = target(s, argument);
        if (target.isEmpty()) {
            return;
        }
        unbanUser(s, target.get());
        s.say("#u" + target.get().no() + " is no longer banned.");
    }

    private static void warn(Session s, String argument) {
        Optional<Profile> target = target(s, argument);
        if (target.isEmpty()) {
            return;
        }
        s.store.update(target.get().userId(), "warnings = warnings + 1");
        s.tell(target.get().userId(), target.get().botId(), "warn.notice", null);
        s.say("#u" + target.get().no() + " was warned (" + (target.get().warnings() + 1) + " warnings).");
    }

    private static String reports(Session s) {
        List<Map<String, Object>> rows = s.store.getHandle().createQuery("""
                        SELECT r.id, r.reason, r.conversation, a.no AS reporter, b.no AS reported FROM ac_reports r
                        JOIN ac_users a ON a.user_id = r.reporter JOIN ac_users b ON b.user_id = r.reported
                        WHERE r.status = 'open' ORDER BY r.id DESC LIMIT 20""").mapToMap().list();
        if (rows.isEmpty()) {
            return "No open reports.";
        }
        StringBuilder text = new StringBuilder("<b>Open reports</b>\n");
        rows.forEach(row -> text.append("#").append(row.get("id")).append(": #u").append(row.get("reporter"))
                .append(" reported #u").append(row.get("reported")).append(" (").append(row.get("reason"))
                .append(", conversation #").append(row.get("conversation")).append(")\n"));
        return text.toString();
    }

    private static void user(Session s, String argument) {
        target(s, argument).ifPresent(p -> {
            long reports = count(s.store, "SELECT count(*) FROM ac_reports WHERE reported = :u", "u", p.userId());
            long score = count(s.store, "SELECT coalesce(sum(score), 0) FROM ac_ratings WHERE rated = :u", "u", p.userId());
            s.say("#u" + p.no() + ": " + (p.gender() == null ? "?" : p.gender()) + ", " + (p.age() == null ? "?" : p.age())
                    + ", lang " + p.lang() + ", bot " + p.botId() + "\nVIP until " + Texts.date(p.vipUntil(), "en")
                    + "\nBanned until " + Texts.date(p.bannedUntil(), "en") + (p.banReason() == null ? "" : " (" + Texts.html(p.banReason()) + ")")
                    + "\nPenalty level " + p.penaltyLevel() + ", warnings " + p.warnings() + ", reports " + reports
                    + ", rating " + score + ", invites " + p.invites());
        });
    }

    private static void grantVip(Session s, String argument) {
        String[] words = argument.trim().split("\\s+");
        Optional<Profile> target = target(s, argument);
        if (target.isEmpty()) {
            return;
        }
        Optional<Long> days = words.length > 1 ? number(words[1]) : Optional.empty();
        if (days.isEmpty() || days.get() < 1 || days.get() > 3650) {
            s.say("Usage: /grantvip <number> <days>");
            return;
        }
        long until = Vip.extend(s, target.get().userId(), days.get().intValue());
        s.tell(target.get().userId(), target.get().botId(), "vip.granted", null, Texts.date(until, target.get().lang()));
        s.say("#u" + target.get().no() + " is VIP until " + Texts.date(until, "en") + ".");
    }

    private static void refund(Session s, String argument) {
        String charge = argument.trim();
        List<Map<String, Object>> rows = s.store.getHandle().createQuery(
                        "SELECT user_id, bot_id FROM ac_payments WHERE charge_id = :charge AND refunded_at IS NULL")
                .bind("charge", charge).mapToMap().list();
        if (rows.isEmpty()) {
            s.say("Usage: /refund <telegram_payment_charge_id> of a payment not yet refunded.");
            return;
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("user_id", ((Number) rows.get(0).get("user_id")).longValue());
        params.put("telegram_payment_charge_id", charge);
        long viaBot = ((Number) rows.get(0).get("bot_id")).longValue();
        s.out.call(viaBot, s.userId, "refundStarPayment", params);
        s.say("Refund requested; VIP days are taken back when Telegram confirms it.");
    }

    private static Optional<Long> number(String text) {
        try {
            return Optional.of(Long.parseLong(text.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
