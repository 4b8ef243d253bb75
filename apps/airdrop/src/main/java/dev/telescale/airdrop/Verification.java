package dev.telescale.airdrop;

import dev.telescale.runtime.app.Outgoing;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Human verification and what follows it: the anti-farm check, the user's own verification
 * points and the referral credits up the chain.
 *
 * <p>Exactly once, under any race: the user moves out of 'new' with a conditional UPDATE that only
 * one transaction can win ({@link Store#finishVerification}); every credit has its own idempotency
 * key (verify:N, ref:N, ref2:N for invitee N). The farm check counts the accounts that share the
 * device fingerprint or address; on PostgreSQL two verifications with the same fingerprint or
 * address are serialised by transaction-scoped advisory locks on their hashes, so two accounts
 * cannot both slip under the limit (SQLite has a single writer anyway).
 */
final class Verification {
    private Verification() {
    }

    /** How the user proved they are human. */
    enum Via { WEBAPP, CHAT, ADMIN }

    /**
     * Verifies {@code member} (still 'new'), with the device fingerprint and address when the Mini
     * App gave them. Returns the user's status afterwards.
     *
     * @param outFor the calls of a message to a given user (the web request's or the update's)
     */
    static String verify(Turn turn, Store.Member member, Via via, String fingerprint, String clientIp,
                         BiFunction<Long, Long, Outgoing> outFor) {
        if (!member.status().equals(Store.NEW)) {
            return member.status();
        }
        String status = Store.VERIFIED;
        String reason = null;
        if (fingerprint != null || clientIp != null) {
            lockFarmKeys(turn.store, fingerprint, clientIp);
            long sameDevice = fingerprint == null ? 0 : turn.store.countWithFingerprint(fingerprint);
            long sameAddress = clientIp == null ? 0 : turn.store.countWithAddress(clientIp);
            if (sameDevice + 1 > turn.settings.maxAccountsPerDevice()) {
                reason = "one device used by " + (sameDevice + 1) + " accounts";
            } else if (sameAddress + 1 > turn.settings.maxAccountsPerAddress()) {
                reason = "one address used by " + (sameAddress + 1) + " accounts";
            }
            if (reason != null) {
                status = turn.settings.farmAction().equals("block") ? Store.BLOCKED : Store.HELD;
            }
        }
        if (!turn.store.finishVerification(member.no(), status, reason, via.name().toLowerCase(), fingerprint, clientIp,
                turn.now)) {
            return turn.store.memberByNo(member.no()).map(Store.Member::status).orElse(Store.NEW);
        }
        if (reason != null) {
            turn.store.flagSharing(fingerprint, clientIp, status, reason);
            turn.sayKey(status.equals(Store.BLOCKED) ? "blocked" : "held", reason);
            return status;
        }
        long points = creditVerified(turn, member, outFor);
        turn.sayKey("verified", points);
        return status;
    }

    /**
     * The credits of a user who is now verified (directly, or approved by an admin after a hold):
     * their own points, and the referral points of their inviter and the inviter's inviter, each
     * once. Returns the user's own points.
     */
    static long creditVerified(Turn turn, Store.Member member, BiFunction<Long, Long, Outgoing> outFor) {
        AirdropSettings settings = turn.settings;
        turn.store.credit(member.no(), settings.verifyPoints(), "verify", "verify:" + member.no(), null, turn.now);
        if (member.referrerNo() == null) {
            return settings.verifyPoints();
        }
        Optional<Store.Member> inviter = turn.store.memberByNo(member.referrerNo());
        if (inviter.isEmpty() || inviter.get().banned() || inviter.get().status().equals(Store.BLOCKED)) {
            return settings.verifyPoints();
        }
        Store.Member first = inviter.get();
        if (turn.store.credit(first.no(), settings.referralPoints(), "referral", "ref:" + member.no(),
                "invitee #" + member.no(), turn.now)) {
            turn.store.addInvite(first.no());
            turn.to(first, outFor.apply(first.botId(), first.userId()))
                    .sayKey("referral.credited", settings.referralPoints(), first.invites() + 1);
            long share = settings.referralPoints() * settings.referralSecondLevelPercent() / 100;
            if (share > 0 && first.referrerNo() != null) {
                turn.store.memberByNo(first.referrerNo())
                        .filter(second -> !second.banned() && !second.status().equals(Store.BLOCKED))
                        .ifPresent(second -> {
                            if (turn.store.credit(second.no(), share, "referral2", "ref2:" + member.no(),
                                    "invitee of #" + first.no(), turn.now)) {
                                turn.to(second, outFor.apply(second.botId(), second.userId()))
                                        .sayKey("referral.second_level", share);
                            }
                        });
            }
        }
        return settings.verifyPoints();
    }

    private static void lockFarmKeys(Store store, String fingerprint, String clientIp) {
        if (!store.isPostgres()) {
            return;
        }
        long a = fingerprint == null ? Long.MIN_VALUE : ("fp:" + fingerprint).hashCode();
        long b = clientIp == null ? Long.MIN_VALUE : ("ip:" + clientIp).hashCode();
        for (long key : new long[] {Math.min(a, b), Math.max(a, b)}) { // one order: no deadlock between two verifications
            if (key != Long.MIN_VALUE) {
                store.getHandle().createQuery("SELECT pg_advisory_xact_lock(7270100, :k)").bind("k", (int) key).mapToMap().one();
            }
        }
    }
}
