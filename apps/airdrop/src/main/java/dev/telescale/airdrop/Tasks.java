package dev.telescale.airdrop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The operator's tasks as users do them in the chat. Every completion is a row of ad_task_done
 * keyed by (user, task, period) and a ledger credit keyed by task:T:N:period: pressing twice,
 * a redelivered update or two instances at once credit one time.
 *
 * <p>Kinds: channel (membership checked with getChatMember: the bot must be an admin of the
 * channel or group; the answer comes back in {@link #membershipChecked}), checkin (once per UTC
 * day, a streak adds 10 % a day up to double), invite (N verified invitees), premium (Telegram
 * Premium, from the user object Telegram sends), submission (a link matching the task's pattern,
 * or a screenshot, reviewed by an admin) and custom (a link to visit, credited when pressed).
 */
final class Tasks {
    static final List<String> KINDS = List.of("channel", "checkin", "invite", "premium", "submission", "custom");
    static final String MEMBERSHIP_TAG = "cm:";

    private Tasks() {
    }

    static String today(long now) {
        return LocalDate.ofEpochDay(Math.floorDiv(now, 86_400_000L)).toString();
    }

    static long day(long now) {
        return Math.floorDiv(now, 86_400_000L);
    }

    /** The task list with a button for each task not done. */
    static void list(Turn turn, Store.Member member) {
        List<Store.Task> tasks = turn.store.activeTasks();
        if (tasks.isEmpty()) {
            turn.sayKey("tasks.none");
            return;
        }
        Map<Long, String> statuses = turn.store.taskStatuses(member.no(), today(turn.now));
        StringBuilder text = new StringBuilder(turn.text("tasks.title"));
        ObjectNode keyboard = Turn.inlineKeyboard();
        for (Store.Task task : tasks) {
            String status = statuses.get(task.id());
            String mark = status == null ? "▫️" : switch (status) {
                case "done" -> "✅";
                case "pending" -> "⏳";
                default -> "❌";
            };
            text.append('\n').append(turn.text("tasks.line", mark, Turn.html(task.title()), task.points()));
            if ("done".equals(status) || "pending".equals(status)) {
                continue;
            }
            ArrayNode row = Turn.row(keyboard);
            if (task.url() != null && !task.url().isBlank() && (task.kind().equals("channel") || task.kind().equals("custom"))) {
                Turn.urlButton(row, task.kind().equals("channel") ? turn.text("button.join", task.title()) : task.title(), task.url());
                Turn.callbackButton(row, task.kind().equals("channel") ? turn.text("button.check") : turn.text("button.done"),
                        "task:" + task.id());
            } else {
                Turn.callbackButton(row, task.title(), "task:" + task.id());
            }
        }
        turn.say(text.toString(), keyboard);
    }

    /** A press of a task's button. */
    static void press(Turn turn, Store.Member member, long taskId) {
        Store.Task task = turn.store.task(taskId).filter(Store.Task::active).orElse(null);
        if (task == null) {
            turn.sayKey("tasks.none");
            return;
        }
        String period = task.kind().equals("checkin") ? today(turn.now) : "once";
        String status = turn.store.taskStatus(member.no(), task.id(), period).orElse(null);
        if ("done".equals(status)) {
            turn.sayKey(task.kind().equals("checkin") ? "task.checkin_already" : "task.done_already");
            return;
        }
        if ("pending".equals(status)) {
            turn.sayKey("task.pending");
            return;
        }
        switch (task.kind()) {
            case "channel" -> {
                ObjectNode params = JsonNodeFactory.instance.objectNode();
                String chat = task.chat() == null ? "" : task.chat().trim();
                if (chat.matches("-?\\d+")) {
                    params.put("chat_id", Long.parseLong(chat));
                } else {
                    params.put("chat_id", chat);
                }
                params.put("user_id", member.userId());
                turn.out.call(turn.botId, turn.chatId, "getChatMember", params,
                        MEMBERSHIP_TAG + task.id() + ":" + member.no());
            }
            case "checkin" -> checkIn(turn, member, task);
            case "invite" -> {
                int target = task.target() == null ? 1 : task.target();
                if (member.invites() >= target) {
                    complete(turn, member, task, "once");
                } else {
                    turn.sayKey("task.invite_progress", target, member.invites());
                }
            }
            case "premium" -> {
                if (member.premium()) {
                    complete(turn, member, task, "once");
                } else {
                    turn.sayKey("task.premium_missing");
                }
            }
            case "submission" -> {
                turn.store.setAwaitingProof(member.no(), task.id());
                turn.sayKey("task.send_proof", Turn.html(task.title()), proofWanted(turn, task));
            }
            default -> complete(turn, member, task, "once");
        }
    }

    private static String proofWanted(Turn turn, Store.Task task) {
        return task.pattern() == null || task.pattern().isBlank() ? turn.text("task.proof_screenshot")
                : turn.text("task.proof_link", Turn.html(example(task.pattern())));
    }

    /** A readable hint of a pattern: the task's own URL when it has one, else the pattern. */
    private static String example(String pattern) {
        return pattern.replace("\\.", ".").replace("^", "").replace("$", "");
    }

    static void complete(Turn turn, Store.Member member, Store.Task task, String period) {
        if (!turn.store.recordTask(member.no(), task.id(), period, "done", null, turn.now)) {
            turn.sayKey("task.done_already");
            return;
        }
        turn.store.credit(member.no(), task.points(), "task", "task:" + task.id() + ":" + member.no() + ":" + period,
                task.title(), turn.now);
        turn.sayKey("task.done", Turn.html(task.title()), task.points());
    }

    private static void checkIn(Turn turn, Store.Member member, Store.Task task) {
        long day = day(turn.now);
        if (!turn.store.recordTask(member.no(), task.id(), today(turn.now), "done", null, turn.now)) {
            turn.sayKey("task.checkin_already");
            return;
        }
        int streak = member.lastCheckinDay() != null && member.lastCheckinDay() == day - 1 ? member.streak() + 1 : 1;
        turn.store.getHandle().createUpdate("UPDATE ad_users SET streak = :s, last_checkin_day = :d WHERE no = :no")
                .bind("s", streak).bind("d", day).bind("no", member.no()).execute();
        long base = task.points() > 0 ? task.points() : turn.settings.checkinPoints();
        long points = base + base * Math.min(streak - 1, 10) / 10;
        turn.store.credit(member.no(), points, "checkin", "task:" + task.id() + ":" + member.no() + ":" + today(turn.now),
                "day " + streak, turn.now);
        turn.sayKey("task.checkin", streak, points);
    }

    /** getChatMember answered: credits the channel task when the user is a member. */
    static void membershipChecked(Turn turn, Store.Member member, Store.Task task, JsonNode chatMember) {
        String status = chatMember.path("status").asText("");
        boolean isMember = switch (status) {
            case "creator", "administrator", "member" -> true;
            case "restricted" -> chatMember.path("is_member").asBoolean(false);
            default -> false;
        };
        if (isMember) {
            complete(turn, member, task, "once");
        } else {
            turn.sayKey("task.not_member", Turn.html(task.title()));
        }
    }

    /**
     * A message from a user whose next message is a task's proof: a link matching the task's
     * pattern, or a photo when the task has none. Returns false when the message is not a proof
     * (the user gets the reason).
     */
    static void proof(Turn turn, Store.Member member, JsonNode message) {
        Store.Task task = turn.store.task(member.awaitingProof()).filter(Store.Task::active).orElse(null);
        turn.store.setAwaitingProof(member.no(), null);
        if (task == null) {
            return;
        }
        String proof;
        if (task.pattern() == null || task.pattern().isBlank()) {
            JsonNode photos = message.path("photo");
            if (!photos.isArray() || photos.isEmpty()) {
                turn.store.setAwaitingProof(member.no(), task.id());
                turn.sayKey("task.proof_invalid", proofWanted(turn, task));
                return;
            }
            proof = "photo:" + photos.get(photos.size() - 1).path("file_id").asText();
        } else {
            String text = message.path("text").asText("").trim();
            if (text.length() > 500 || !matches(task.pattern(), text)) {
                turn.store.setAwaitingProof(member.no(), task.id());
                turn.sayKey("task.proof_invalid", proofWanted(turn, task));
                return;
            }
            proof = text;
        }
        if (!turn.store.recordTask(member.no(), task.id(), "once", "pending", proof, turn.now)
                && !turn.store.resubmit(member.no(), task.id(), proof, turn.now)) {
            turn.sayKey("task.pending");
            return;
        }
        turn.sayKey("task.submitted");
    }

    static boolean matches(String pattern, String text) {
        try {
            return Pattern.compile(pattern).matcher(text).matches();
        } catch (PatternSyntaxException e) {
            return false;
        }
    }

    /** Checks an operator's task definition; the reason it cannot be saved, or null. */
    static String invalid(String kind, String title, long points, String chat, String url, String pattern, Integer target) {
        if (!KINDS.contains(kind)) {
            return "kind: one of " + String.join(", ", KINDS);
        }
        if (title == null || title.isBlank() || title.length() > 100) {
            return "title: 1-100 characters";
        }
        if (points < 0 || points > 1_000_000_000) {
            return "points: 0-1000000000";
        }
        if (kind.equals("channel") && (chat == null || !chat.trim().matches("@[A-Za-z0-9_]{4,32}|-?\\d{1,20}"))) {
            return "chat: the channel's @username or id (the bot must be an admin there)";
        }
        if (url != null && !url.isBlank() && !url.matches("https?://\\S{1,500}|tg://\\S{1,500}")) {
            return "url: an http(s) or tg:// link";
        }
        if (pattern != null && !pattern.isBlank()) {
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                return "pattern: not a valid regular expression (" + e.getDescription() + ")";
            }
        }
        if (kind.equals("invite") && (target == null || target < 1 || target > 100_000)) {
            return "target: the number of friends, 1-100000";
        }
        return null;
    }
}
