package dev.telescale.anonchat;

import static dev.telescale.anonchat.Keyboards.button;

import java.util.List;
import java.util.Optional;

/**
 * Matching and the life of a conversation: /search, /next, /stop, time-outs, partners who left.
 *
 * <p><b>Atomicity.</b> Match-or-enqueue runs inside the update's transaction behind
 * {@link Store#lockMatching} (a PostgreSQL transaction-scoped advisory lock; on SQLite the single
 * writer lock the runtime takes for every transaction does the same). So two searches never both
 * miss each other and enqueue, and never both take the same waiting user. The primary key of
 * {@code ac_active} refuses a second conversation for anyone, and both rows of a pair are written
 * together, so pairs are always symmetric; a user leaves the queue in the same transaction that
 * starts their conversation, so nobody is lost from it or matched twice.
 */
final class Chats {
    private Chats() {
    }

    static void search(Session s) {
        Profile me = s.profile;
        if (me.isBanned(s.now)) {
            s.say(s.text("search.banned", Texts.date(me.bannedUntil(), s.lang())));
            return;
        }
        if (s.active().isPresent()) {
            s.sayWithKeyboard(s.text("search.already_chatting"));
            return;
        }
        s.store.lockMatching();
        boolean vip = me.isVip(s.now);
        Optional<Store.Waiting> partner = s.store.firstCompatible(me, vip, s.now);
        if (partner.isEmpty()) {
            boolean already = s.store.isWaiting(me.userId());
            s.store.enqueue(me, s.botId, vip, s.now, s.now + s.settings.searchTimeout().toMillis());
            if (!already) {
                s.sayWithKeyboard(s.text(vip && (me.wantGender() != null || me.wantAgeMin() != null)
                        ? "search.waiting_filtered" : "search.waiting"));
            } else {
                s.say(s.text("search.still_waiting"));
            }
            return;
        }
        Store.Waiting other = partner.get();
        s.store.dequeue(other.userId());
        s.store.dequeue(me.userId());
        s.store.startConversation(me.userId(), s.botId, other.userId(), other.botId(), s.now);
        Profile them = s.store.profile(other.userId()).orElseThrow();
        s.sayWithKeyboard(s.text("chat.found") + partnerHint(s, them, me.lang(), vip));
        s.tellWithKeyboard(other.userId(), other.botId(), "chat.found");
    }

    /** What a VIP sees about the partner: gender and age, never anything that identifies them. */
    private static String partnerHint(Session s, Profile them, String lang, boolean vip) {
        if (!vip || them.gender() == null) {
            return "";
        }
        return "\n" + s.textIn(lang, "chat.partner_hint", s.textIn(lang, "gender." + them.gender()), them.age());
    }

    static void stop(Session s) {
        Optional<Store.Active> active = s.active();
        if (active.isPresent()) {
            end(s, active.get(), "stop");
            return;
        }
        if (s.store.dequeue(s.userId)) {
            s.sayWithKeyboard(s.text("search.cancelled"));
            return;
        }
        s.sayWithKeyboard(s.text("stop.nothing"));
    }

    static void next(Session s) {
        s.active().ifPresent(active -> end(s, active, "next"));
        search(s);
    }

    /** Ends the user's conversation by their choice: both sides are told and asked for a rating. */
    static void end(Session s, Store.Active active, String reason) {
        if (!s.store.endConversation(active.conversation(), s.userId, reason, s.now, recentUntil(s))) {
            return;
        }
        s.sayWithKeyboard(s.text("chat.you_left"));
        s.say(s.text("chat.rate"), rateKeyboard(s, s.lang(), active.conversation()));
        s.tellWithKeyboard(active.partnerId(), active.partnerBot(), "chat.partner_left");
        String partnerLang = s.store.profile(active.partnerId()).map(Profile::lang).orElse("en");
        s.sendText(active.partnerBot(), active.partnerId(), s.textIn(partnerLang, "chat.rate"),
                rateKeyboard(s, partnerLang, active.conversation()), null);
    }

    /**
     * The user can no longer be reached (blocked the bot, deactivated): they leave the queue and
     * their conversation, whose other side is told. Nothing is sent to the user themselves.
     */
    static void userGone(Session s, long userId, String reason) {
        s.store.dequeue(userId);
        s.store.update(userId, "blocked = 1");
        Optional<Store.Active> active = s.store.active(userId);
        if (active.isEmpty()) {
            return;
        }
        Store.Active row = active.get();
        if (s.store.endConversation(row.conversation(), userId, reason, s.now, recentUntil(s))) {
            s.tellWithKeyboard(row.partnerId(), row.partnerBot(), "chat.partner_unreachable");
        }
    }

    static long recentUntil(Session s) {
        return s.now + s.settings.recentPartnerWindow().toMillis();
    }

    static com.fasterxml.jackson.databind.JsonNode rateKeyboard(Session s, String lang, long conversation) {
        return Keyboards.inline(List.of(
                List.of(button(s.textIn(lang, "rate.good"), "rate:" + conversation + ":1"),
                        button(s.textIn(lang, "rate.bad"), "rate:" + conversation + ":-1")),
                List.of(button(s.textIn(lang, "rate.report"), "rep:" + conversation))));
    }

    /** The search time-out sweep (a periodic task): expired searches end with a message. */
    static int expireSearches(Session.TextSource texts, Store store, AnonChatSettings settings, Keyboards keyboards,
                              dev.telescale.runtime.app.TaskContext task, long now) {
        List<Store.Waiting> expired = store.expiredSearches(now, 500);
        for (Store.Waiting waiting : expired) {
            store.dequeue(waiting.userId());
            Session s = new Session(store, settings, keyboards, task.send(waiting.botId(), waiting.userId()), now,
                    waiting.botId(), waiting.userId(), texts);
            s.sayWithKeyboard(s.text("search.timeout"));
        }
        return expired.size();
    }
}
