package dev.telescale.anonchat;

import dev.telescale.runtime.app.AdminPanel;
import dev.telescale.runtime.app.TaskContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The anonymous chat's part of the admin dashboard: the same figures as /stats, open and recent
 * reports with ban and unban, and text broadcasts. Bans and unbans go through the same code as the
 * admin commands, so a dashboard ban ends the user's chat or search and tells both sides. Users
 * are named by their internal number (#u42) only.
 */
final class AnonChatAdminPanel implements AdminPanel {
    private final AnonChatSettings settings;
    private final Keyboards keyboards;
    private final Session.TextSource texts;

    AnonChatAdminPanel(AnonChatSettings settings, Keyboards keyboards, Session.TextSource texts) {
        this.settings = settings;
        this.keyboards = keyboards;
        this.texts = texts;
    }

    @Override
    public Map<String, Number> figures(TaskContext context) {
        return Admin.figures(context.dao(Store.class), context.clock().millis());
    }

    @Override
    public List<Report> recentReports(TaskContext context, int limit) {
        long now = context.clock().millis();
        return context.dao(Store.class).getHandle().createQuery("""
                        SELECT r.id, a.no AS reporter, b.no AS reported, r.reason, r.status, r.created_at,
                               CASE WHEN b.banned_until > :now THEN 1 ELSE 0 END AS banned
                        FROM ac_reports r JOIN ac_users a ON a.user_id = r.reporter JOIN ac_users b ON b.user_id = r.reported
                        ORDER BY r.id DESC LIMIT :limit""")
                .bind("now", now).bind("limit", limit)
                .map((rs, ctx) -> new Report(rs.getLong("id"), rs.getLong("reporter"), rs.getLong("reported"),
                        reasonLabel(rs.getString("reason")), rs.getString("status"), rs.getLong("created_at"),
                        rs.getInt("banned") == 1))
                .list();
    }

    /** A reason code as the reporter saw it (in English); anything else as stored. */
    private String reasonLabel(String code) {
        return Moderation.REASONS.contains(code) ? texts.text("en", "report.reason." + code) : code;
    }

    @Override
    public String ban(TaskContext context, long userNumber, Optional<Duration> duration, String reason) {
        Session s = sessionOf(context, userNumber);
        long until = duration.map(d -> s.now + d.toMillis()).orElse(Texts.FOREVER);
        Admin.banUser(s, s.profile, until, reason);
        return "#u" + userNumber + " is banned until " + Texts.date(until, "en") + ".";
    }

    @Override
    public String unban(TaskContext context, long userNumber) {
        Session s = sessionOf(context, userNumber);
        if (s.profile.bannedUntil() <= s.now) {
            throw new IllegalArgumentException("#u" + userNumber + " is not banned");
        }
        Admin.unbanUser(s, s.profile);
        return "#u" + userNumber + " is no longer banned.";
    }

    /** A session acting on the user with that number, through their own bot. */
    private Session sessionOf(TaskContext context, long userNumber) {
        Store store = context.dao(Store.class);
        Profile target = store.profileByNo(userNumber)
                .orElseThrow(() -> new IllegalArgumentException("no user #u" + userNumber));
        return new Session(store, settings, keyboards, context.send(target.botId(), target.userId()),
                context.clock().millis(), target.botId(), target.userId(), texts);
    }
}
