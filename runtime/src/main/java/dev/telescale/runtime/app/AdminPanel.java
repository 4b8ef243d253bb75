package dev.telescale.runtime.app;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an application shows and does on the admin dashboard ({@code /admin}). Every method runs
 * in its own transaction with a {@link TaskContext}, like a periodic task run: what it sends is
 * queued with its writes and goes out only if they commit. Users are named by the application's
 * internal user number, never by Telegram id or username. Broadcasts are the runtime's
 * ({@link BroadcastAudience}). A method that is given bad input
 * throws {@link IllegalArgumentException} with a message the dashboard shows as it is.
 */
public interface AdminPanel {
    /**
     * Tiles, in display order (e.g. users, online, waiting, chats); each figure must be cheap to count.
     * Read-only: runs without a transaction and may queue no calls ({@link #recentReports} too).
     */
    Map<String, Number> figures(TaskContext context) throws Exception;

    /** The newest reports first, at most {@code limit}. */
    List<Report> recentReports(TaskContext context, int limit) throws Exception;

    /**
     * Bans a user for {@code duration} (empty: forever), ends what they are doing and tells them
     * and a partner they leave; returns a one-line outcome.
     */
    String ban(TaskContext context, long userNumber, Optional<Duration> duration, String reason) throws Exception;

    /** Lifts a ban and tells the user; returns a one-line outcome. */
    String unban(TaskContext context, long userNumber) throws Exception;

    /** A report as the dashboard lists it; {@code reportedBanned} says whether a ban is in force now. */
    record Report(long id, long reporterNumber, long reportedNumber, String reason, String status,
                  long createdAtMillis, boolean reportedBanned) {
    }
}
