package dev.telescale.anonchat;

import static dev.telescale.anonchat.Keyboards.button;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * VIP: bought with Telegram Stars, earned by referrals, or granted by an admin; perks are partner
 * filters and priority in the queue.
 *
 * <p>Payments: the invoice payload {@code vip:<days>:<user id>} names what is bought and for whom;
 * the pre-checkout query is answered from the payload and the current price alone (no calls, so
 * well within Telegram's 10 s); successful_payment is recorded under its charge id (primary key:
 * a payment Telegram reports twice extends VIP once); refunded_payment takes the days back.
 * Referrals: an invite counts once, when the invitee finishes onboarding, and every
 * ANONCHAT_REFERRAL_INVITES counted invites give ANONCHAT_REFERRAL_VIP_DAYS days.
 */
final class Vip {
    private static final long DAY = Duration.ofDays(1).toMillis();

    private Vip() {
    }

    static void menu(Session s, String inviteLink) {
        Profile me = s.profile;
        String status = me.isVip(s.now) ? s.text("vip.active", Texts.date(me.vipUntil(), s.lang())) : s.text("vip.inactive");
        s.say(status + "\n\n" + s.text("vip.perks") + "\n\n"
                        + s.text("vip.referral", s.settings.referralInvites(), s.settings.referralVipDays(), inviteLink),
                Keyboards.inline(List.of(
                        List.of(button(s.text("vip.buy_week", s.settings.vipWeekStars()), "buy:7")),
                        List.of(button(s.text("vip.buy_month", s.settings.vipMonthStars()), "buy:30")))));
    }

    static int price(AnonChatSettings settings, int days) {
        return switch (days) {
            case 7 -> settings.vipWeekStars();
            case 30 -> settings.vipMonthStars();
            default -> -1;
        };
    }

    static void sendInvoice(Session s, int days) {
        int price = price(s.settings, days);
        if (price < 0) {
            return;
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("title", s.text("vip.invoice_title", days));
        params.put("description", s.text("vip.invoice_description", days));
        params.put("payload", "vip:" + days + ":" + s.userId);
        params.put("currency", "XTR");
        params.putArray("prices").addObject().put("label", s.text("vip.invoice_title", days)).put("amount", price);
        s.out.call(s.botId, s.userId, "sendInvoice", params);
    }

    /** The answer to a pre-checkout query: null to accept, or the reason to refuse. */
    static String checkout(Session s, JsonNode query) {
        Optional<long[]> purchase = parsePayload(query.path("invoice_payload").asText(""));
        if (purchase.isEmpty() || purchase.get()[1] != s.userId) {
            return s.text("vip.checkout_invalid");
        }
        int days = (int) purchase.get()[0];
        if (!"XTR".equals(query.path("currency").asText()) || query.path("total_amount").asInt() != price(s.settings, days)) {
            return s.text("vip.checkout_price_changed");
        }
        if (s.profile == null) {
            return s.text("vip.checkout_invalid");
        }
        if (s.profile.isBanned(s.now)) {
            return s.text("vip.checkout_banned");
        }
        return null;
    }

    /** [days, user id] of a payload {@code vip:<days>:<user id>}. */
    private static Optional<long[]> parsePayload(String payload) {
        String[] parts = payload.split(":");
        if (parts.length != 3 || !parts[0].equals("vip")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new long[]{Integer.parseInt(parts[1]), Long.parseLong(parts[2])});
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static void paid(Session s, JsonNode payment) {
        String charge = payment.path("telegram_payment_charge_id").asText("");
        String[] parts = payment.path("invoice_payload").asText("").split(":");
        int days = parts.length == 3 && parts[0].equals("vip") ? parseInt(parts[1]) : 0;
        if (charge.isEmpty() || days <= 0) {
            return;
        }
        int inserted = s.store.getHandle().createUpdate("""
                        INSERT INTO ac_payments (charge_id, user_id, bot_id, amount, days, paid_at)
                        VALUES (:charge, :user, :bot, :amount, :days, :now) ON CONFLICT (charge_id) DO NOTHING""")
                .bind("charge", charge).bind("user", s.userId).bind("bot", s.botId)
                .bind("amount", payment.path("total_amount").asInt()).bind("days", days).bind("now", s.now).execute();
        if (inserted == 0) {
            return;
        }
        long until = extend(s, s.userId, days);
        s.say(s.text("vip.thanks", Texts.date(until, s.lang())));
    }

    static void refunded(Session s, JsonNode refund) {
        String charge = refund.path("telegram_payment_charge_id").asText("");
        Optional<Integer> days = s.store.getHandle().createQuery(
                        "SELECT days FROM ac_payments WHERE charge_id = :charge AND refunded_at IS NULL")
                .bind("charge", charge).mapTo(Integer.class).findOne();
        if (days.isEmpty()) {
            return;
        }
        s.store.getHandle().createUpdate("UPDATE ac_payments SET refunded_at = :now WHERE charge_id = :charge")
                .bind("now", s.now).bind("charge", charge).execute();
        long current = s.profile.vipUntil();
        long until = Math.max(Math.min(current, s.now), current - days.get() * DAY);
        s.store.update(s.userId, "vip_until = :until", "until", until);
        setQueuePriority(s, s.userId, until > s.now);
        s.say(s.text("vip.refunded", days.get()));
    }

    /** Adds days of VIP (from now, or from the end of the current VIP); returns the new end. */
    static long extend(Session s, long userId, int days) {
        Profile profile = s.store.profile(userId).orElseThrow();
        long until = Math.max(profile.vipUntil(), s.now) + days * DAY;
        s.store.update(userId, "vip_until = :until", "until", until);
        setQueuePriority(s, userId, true);
        return until;
    }

    /** VIP gained or lost while waiting takes effect in the queue at once, not at the next search. */
    private static void setQueuePriority(Session s, long userId, boolean vip) {
        s.store.getHandle().createUpdate("UPDATE ac_queue SET priority = :priority WHERE user_id = :u")
                .bind("priority", vip ? 1 : 0).bind("u", userId).execute();
    }

    /** Called when a user finishes onboarding for the first time: their inviter may earn VIP. */
    static void countReferral(Session s) {
        Profile me = s.profile;
        if (me.referrerNo() == null || me.referralCounted()) {
            return;
        }
        s.store.update(s.userId, "referral_counted = 1");
        Optional<Profile> referrer = s.store.profileByNo(me.referrerNo());
        if (referrer.isEmpty() || referrer.get().userId() == s.userId) {
            return;
        }
        Profile inviter = referrer.get();
        s.store.update(inviter.userId(), "invites = invites + 1");
        int invites = inviter.invites() + 1;
        if (invites % s.settings.referralInvites() == 0) {
            long until = extend(s, inviter.userId(), s.settings.referralVipDays());
            s.tell(inviter.userId(), inviter.botId(), "vip.referral_earned", null, s.settings.referralVipDays(),
                    Texts.date(until, inviter.lang()));
        } else {
            s.tell(inviter.userId(), inviter.botId(), "vip.referral_counted", null, invites % s.settings.referralInvites(),
                    s.settings.referralInvites());
        }
    }

    private static int parseInt(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
