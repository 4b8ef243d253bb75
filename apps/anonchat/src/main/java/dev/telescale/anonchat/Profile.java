package dev.telescale.anonchat;

/**
 * A user of the anonymous chat as stored in {@code ac_users}. {@code no} is the internal number
 * moderators see; the Telegram id never leaves the server.
 */
public record Profile(long no, long userId, long botId, String lang, String gender, Integer age, String step,
                      Long onboardedAt, String wantGender, Integer wantAgeMin, Integer wantAgeMax, long vipUntil,
                      long bannedUntil, String banReason, int penaltyLevel, int warnings, Long referrerNo,
                      boolean referralCounted, int invites, long rateWindow, int rateCount, boolean blocked,
                      long createdAt, long lastActiveAt) {

    public boolean onboarded() {
        return onboardedAt != null;
    }

    public boolean isVip(long now) {
        return vipUntil > now;
    }

    public boolean isBanned(long now) {
        return bannedUntil > now;
    }
}
