package dev.telescale.anonchat;

import static dev.telescale.anonchat.Keyboards.button;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Reports, ratings, escalating penalties and the moderation chat. Moderators see internal user
 * numbers ({@code #u<no>}), never Telegram ids, and usernames only when configured.
 *
 * <p>Penalties escalate: when a user collects ANONCHAT_REPORTS_FOR_PENALTY open reports from
 * different partners within 24 hours, they get the next cooldown in {@link #COOLDOWNS} (then a
 * permanent ban), those reports are marked actioned, and they leave their chat and the queue.
 */
final class Moderation {
    static final List<Duration> COOLDOWNS = List.of(Duration.ofHours(1), Duration.ofHours(24), Duration.ofDays(7));
    static final List<String> REASONS = List.of("spam", "abuse", "minor", "other");
    private static final long REPORT_AFTER_CHAT_MILLIS = Duration.ofHours(1).toMillis();

    private Moderation() {
    }

    /** /report: about the current partner, or the last one within an hour; asks for the reason. */
    static void report(Session s) {
        Optional<Long> conversation = s.active().map(Store.Active::conversation)
                .or(() -> s.store.lastConversation(s.userId, s.now - REPORT_AFTER_CHAT_MILLIS).map(Store.Conversation::id));
        if (conversation.isEmpty()) {
            s.say(s.text("report.nobody"));
            return;
        }
        askReason(s, conversation.get());
    }

    static void askReason(Session s, long conversation) {
        List<List<Keyboards.Button>> rows = REASONS.stream()
                .map(reason -> List.of(button(s.text("report.reason." + reason), "rr:" + conversation + ":" + reason)))
                .toList();
        s.say(s.text("report.ask"), Keyboards.inline(rows));
    }

    /** The reason was chosen: the report is stored once per conversation and reporter. */
    static String recordReport(Session s, long conversationId, String reason) {
        Optional<Store.Conversation> conversation = s.store.conversation(conversationId);
        if (conversation.isEmpty() || !REASONS.contains(reason)
                || (conversation.get().userA() != s.userId && conversation.get().userB() != s.userId)) {
            return s.text("report.invalid");
        }
        long reported = conversation.get().partnerOf(s.userId);
        int inserted = s.store.getHandle().createUpdate("""
                        INSERT INTO ac_reports (conversation, reporter, reported, reason, created_at)
                        VALUES (:c, :reporter, :reported, :reason, :now) ON CONFLICT (conversation, reporter) DO NOTHING""")
                .bind("c", conversationId).bind("reporter", s.userId).bind("reported", reported).bind("reason", reason)
                .bind("now", s.now).execute();
        if (inserted == 0) {
            return s.text("report.already");
        }
        Profile reporter = s.profile;
        Profile target = s.store.profile(reported).orElseThrow();
        notifyModerators(s, s.botId, "Report: " + userLabel(s, reporter) + " reported " + userLabel(s, target)
                + " for <b>" + reason + "</b> (conversation #" + conversationId + ").\n/ban " + target.no() + " 1d · /warn "
                + target.no() + " · /user " + target.no());
        escalate(s, target);
        return s.text("report.thanks");
    }

    private static void escalate(Session s, Profile target) {
        long since = s.now - Duration.ofHours(24).toMillis();
        int reporters = s.store.getHandle().createQuery("""
                        SELECT count(DISTINCT reporter) FROM ac_reports WHERE reported = :u AND status = 'open' AND created_at >= :since""")
                .bind("u", target.userId()).bind("since", since).mapTo(Integer.class).one();
        if (reporters < s.settings.reportsForPenalty()) {
            return;
        }
        int level = target.penaltyLevel();
        long until = level < COOLDOWNS.size() ? s.now + COOLDOWNS.get(level).toMillis() : Texts.FOREVER;
        s.store.update(target.userId(), "penalty_level = penalty_level + 1, banned_until = :until, ban_reason = :reason",
                "until", until, "reason", "reports");
        s.store.getHandle().createUpdate("UPDATE ac_reports SET status = 'actioned' WHERE reported = :u AND status = 'open'")
                .bind("u", target.userId()).execute();
        applyBan(s, target, until);
        notifyModerators(s, s.botId, "Automatic penalty: " + userLabel(s, target) + " until "
                + Texts.date(until, "en") + " (" + reporters + " reports in 24 h).");
    }

    /** Puts a banned user out of their chat and the queue and tells them until when. */
    static void applyBan(Session s, Profile target, long until) {
        s.store.dequeue(target.userId());
        s.store.active(target.userId()).ifPresent(active -> {
            if (s.store.endConversation(active.conversation(), target.userId(), "banned", s.now, Chats.recentUntil(s))) {
                s.tellWithKeyboard(active.partnerId(), active.partnerBot(), "chat.partner_left");
            }
        });
        s.tellWithKeyboard(target.userId(), target.botId(), "ban.notice", Texts.date(until, target.lang()));
    }

    /** A rating after a chat, once per conversation and rater. */
    static String rate(Session s, long conversationId, int score) {
        Optional<Store.Conversation> conversation = s.store.conversation(conversationId);
        if (conversation.isEmpty() || (score != 1 && score != -1)
                || (conversation.get().userA() != s.userId && conversation.get().userB() != s.userId)) {
            return s.text("report.invalid");
        }
        s.store.getHandle().createUpdate("""
                        INSERT INTO ac_ratings (conversation, rater, rated, score, created_at) VALUES (:c, :rater, :rated, :score, :now)
                        ON CONFLICT (conversation, rater) DO UPDATE SET score = excluded.score""")
                .bind("c", conversationId).bind("rater", s.userId).bind("rated", conversation.get().partnerOf(s.userId))
                .bind("score", score).bind("now", s.now).execute();
        return s.text("rate.thanks");
    }

    /** A copy of a relayed media message for the moderation chat, on the low-priority lane. */
    static void copyMedia(Session s, Store.Active active, long messageId) {
        if (s.settings.moderationChatId().isEmpty()) {
            return;
        }
        Profile partner = s.store.profile(active.partnerId()).orElse(null);
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("from_chat_id", s.userId);
        params.put("message_id", messageId);
        params.put("caption", userLabel(s, s.profile) + " → " + (partner == null ? "?" : userLabel(s, partner))
                + " · conversation #" + active.conversation());
        params.put("parse_mode", "HTML");
        s.out.broadcast(s.botId, s.settings.moderationChatId().getAsLong(), "copyMessage", params);
    }

    static void notifyModerators(Session s, long viaBot, String html) {
        if (s.settings.moderationChatId().isEmpty()) {
            return;
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("text", html);
        params.put("parse_mode", "HTML");
        s.out.broadcast(viaBot, s.settings.moderationChatId().getAsLong(), "sendMessage", params);
    }

    /** "#u42", plus "@name" when moderators may see usernames. */
    static String userLabel(Session s, Profile profile) {
        String label = "#u" + profile.no();
        if (s.settings.moderationShowsUsernames()) {
            label += s.store.getHandle().createQuery("SELECT username FROM telegram_users WHERE user_id = :id")
                    .bind("id", profile.userId()).mapTo(String.class).findOne()
                    .map(name -> " @" + Texts.html(name)).orElse("");
        }
        return label;
    }
}
