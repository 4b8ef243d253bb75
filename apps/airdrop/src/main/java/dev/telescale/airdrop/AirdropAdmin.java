package dev.telescale.airdrop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.app.AdminPanel;
import dev.telescale.runtime.app.BroadcastAudience;
import dev.telescale.runtime.app.Broadcasts;
import dev.telescale.runtime.app.Outgoing;
import dev.telescale.runtime.app.TaskContext;
import dev.telescale.runtime.app.WebError;
import dev.telescale.runtime.app.WebRequest;
import dev.telescale.runtime.app.WebRoutes;
import dev.telescale.runtime.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What operators do: the dashboard's panel (figures, held accounts as reports, ban, unban,
 * broadcasts), the airdrop's own admin page at /admin/apps/airdrop (task editor, review queue,
 * user lookup with referral tree and ledger, maintenance, claims, CSV exports) and the admin
 * commands in the chat. Every action runs in one transaction with the messages it sends, so an
 * approval and its credit and its notice happen together or not at all. Exports page through the
 * table by primary key (5,000 rows a query, no transaction held), so a million rows stream out
 * without being held in memory. Thread-safe (stateless).
 *
 * <p>Broadcasts are the runtime's ({@link Broadcasts}): this class says who a segment is (users
 * by number, so the runtime's cursor is a user number) and the runtime's task sends them.
 */
final class AirdropAdmin implements AdminPanel, BroadcastAudience {
    private static final ObjectMapper JSON = Json.newMapper();
    private static final int EXPORT_PAGE = 5_000;
    private static final List<String> SEGMENTS = List.of("all", "verified", "unverified", "with_wallet", "held");

    private final AirdropSettings settings;
    private final Texts texts;

    AirdropAdmin(AirdropSettings settings, Texts texts) {
        this.settings = settings;
        this.texts = texts;
    }

    // ---- the dashboard's panel ----

    @Override
    public Map<String, Number> figures(TaskContext context) {
        Store store = context.dao(Store.class);
        long hourAgo = context.clock().millis() - 3_600_000;
        Map<String, Number> figures = new LinkedHashMap<>();
        figures.put("users", store.count("SELECT COALESCE(MAX(no), 0) FROM ad_users"));
        figures.put("verified", store.count("SELECT count(*) FROM ad_users WHERE status = 'verified'"));
        figures.put("flagged", store.count("SELECT count(*) FROM ad_users WHERE status IN ('held', 'blocked')"));
        figures.put("referrals_last_hour", store.getHandle().createQuery(
                "SELECT count(*) FROM ad_ledger WHERE kind = 'referral' AND created_at > :t").bind("t", hourAgo).mapTo(Long.class).one());
        figures.put("tasks_done_last_hour", store.getHandle().createQuery(
                "SELECT count(*) FROM ad_ledger WHERE kind IN ('task', 'checkin') AND created_at > :t").bind("t", hourAgo)
                .mapTo(Long.class).one());
        // held (from the rank counts: one row per distinct balance, not a scan of the ledger) plus claimed
        figures.put("points_issued", store.count("SELECT COALESCE(SUM(points * users), 0) FROM ad_rank_counts")
                + store.count("SELECT COALESCE(SUM(points), 0) FROM ad_claims WHERE status <> 'rejected'"));
        figures.put("claims_open", store.count("SELECT count(*) FROM ad_claims WHERE status IN ('open', 'exported')"));
        figures.put("pending_reviews", store.count("SELECT count(*) FROM ad_task_done WHERE status = 'pending'"));
        return figures;
    }

    /** Accounts held or blocked by the farm check, newest first, as the dashboard's reports. */
    @Override
    public List<Report> recentReports(TaskContext context, int limit) {
        return context.dao(Store.class).getHandle().createQuery("""
                        SELECT no, flag_reason, status, verified_at, banned FROM ad_users
                        WHERE status IN ('held', 'blocked') ORDER BY no DESC LIMIT :limit""")
                .bind("limit", limit)
                .map((rs, ctx) -> new Report(rs.getLong("no"), 0, rs.getLong("no"), rs.getString("flag_reason"),
                        rs.getString("status"), rs.getLong("verified_at"), rs.getInt("banned") != 0))
                .list();
    }

    @Override
    public String ban(TaskContext context, long userNumber, Optional<Duration> duration, String reason) {
        Store store = context.dao(Store.class);
        Store.Member member = member(store, userNumber);
        store.setBan(member.no(), true, reason);
        Turn turn = turnFor(context, store, member);
        turn.sayKey("banned", ": " + Turn.html(reason));
        return "user #" + userNumber + " is banned (" + reason + "); their points no longer count and they cannot claim";
    }

    @Override
    public String unban(TaskContext context, long userNumber) {
        Store store = context.dao(Store.class);
        Store.Member member = member(store, userNumber);
        store.setBan(member.no(), false, null);
        return "user #" + userNumber + " is no longer banned";
    }

    // ---- who broadcasts reach (the runtime's broadcasts task sends them) ----

    @Override
    public List<String> segments() {
        return SEGMENTS;
    }

    @Override
    public long count(TaskContext context, String segment) {
        return context.dao(Store.class).count("SELECT count(*) FROM ad_users WHERE blocked_bot = 0" + segmentFilter(segment));
    }

    @Override
    public List<Recipient> next(TaskContext context, String segment, long afterCursor, int limit) {
        return context.dao(Store.class).getHandle().createQuery("SELECT no, user_id, bot_id FROM ad_users"
                        + " WHERE no > :cursor AND blocked_bot = 0" + segmentFilter(segment) + " ORDER BY no LIMIT :limit")
                .bind("cursor", afterCursor).bind("limit", limit)
                .map((rs, ctx) -> new Recipient(rs.getLong("no"), rs.getLong("bot_id"), rs.getLong("user_id"))).list();
    }

    private static String segmentFilter(String segment) {
        return switch (segment) {
            case "verified" -> " AND status = 'verified' AND banned = 0";
            case "unverified" -> " AND status = 'new'";
            case "with_wallet" -> " AND wallet IS NOT NULL AND status = 'verified' AND banned = 0";
            case "held" -> " AND status IN ('held', 'blocked')";
            default -> "";
        };
    }

    // ---- the chat's admin commands ----

    /** An admin command; false when the command is not an admin one (a user command then). */
    boolean command(Turn turn, String command, String argument) {
        Store store = turn.store;
        switch (command) {
            case "admin" -> turn.say(Turn.html(turn.text("admin.usage")));
            case "stats" -> {
                StringBuilder text = new StringBuilder("<b>Airdrop</b>");
                figuresFrom(store, turn.now).forEach((name, value) -> text.append('\n').append(name).append(": ").append(value));
                turn.say(text.toString());
            }
            case "maintenance" -> {
                boolean on = argument.trim().equalsIgnoreCase("on");
                if (!on && !argument.trim().equalsIgnoreCase("off")) {
                    turn.say("Usage: /maintenance on|off");
                    return true;
                }
                store.setSetting("maintenance", on ? "on" : "off");
                turn.say("Maintenance is " + (on ? "on: users get a notice; nothing they send is lost." : "off."));
            }
            case "claims" -> {
                String word = argument.trim().toLowerCase();
                if (!word.equals("open") && !word.equals("close")) {
                    turn.say("Usage: /claims open|close");
                    return true;
                }
                turn.say(setClaimsOpen(store, word.equals("open"), turn.now));
            }
            case "ban", "unban", "approve", "user" -> {
                String[] words = argument.trim().split("\\s+", 2);
                Optional<Long> number = AirdropApplication.parseLong(words[0].replace("#", ""));
                Optional<Store.Member> target = number.flatMap(store::memberByNo);
                if (target.isEmpty()) {
                    turn.say(Turn.html("Usage: /" + command + " NUMBER" + (command.equals("ban") ? " [reason]" : "")
                            + " (users are named by their number, as in /stats and the dashboard)"));
                    return true;
                }
                Store.Member member = target.get();
                switch (command) {
                    case "ban" -> {
                        String reason = words.length > 1 ? words[1] : "admin";
                        store.setBan(member.no(), true, reason);
                        turn.to(member, turn.out).sayKey("banned", ": " + Turn.html(reason));
                        turn.say("User #" + member.no() + " is banned.");
                    }
                    case "unban" -> {
                        store.setBan(member.no(), false, null);
                        turn.say("User #" + member.no() + " is no longer banned.");
                    }
                    case "approve" -> turn.say(Turn.html(approve(turn, member, (bot, chat) -> turn.out)));
                    default -> turn.say(Turn.html(describe(member)));
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Long> figuresFrom(Store store, long now) {
        Map<String, Long> figures = new LinkedHashMap<>();
        figures.put("users", store.count("SELECT COALESCE(MAX(no), 0) FROM ad_users"));
        figures.put("verified", store.count("SELECT count(*) FROM ad_users WHERE status = 'verified'"));
        figures.put("held or blocked", store.count("SELECT count(*) FROM ad_users WHERE status IN ('held', 'blocked')"));
        figures.put("pending reviews", store.count("SELECT count(*) FROM ad_task_done WHERE status = 'pending'"));
        figures.put("open claims", store.count("SELECT count(*) FROM ad_claims WHERE status IN ('open', 'exported')"));
        return figures;
    }

    private static String describe(Store.Member member) {
        return "User #" + member.no() + ": " + member.status() + (member.banned() ? ", banned" : "") + ", " + member.points()
                + " points, " + member.invites() + " verified invites"
                + (member.referrerNo() == null ? "" : ", invited by #" + member.referrerNo())
                + (member.wallet() == null ? "" : ", wallet " + member.wallet())
                + (member.flagReason() == null ? "" : ", flagged: " + member.flagReason());
    }

    /** Opens or closes claims; opening tells every verified user through a broadcast. */
    private String setClaimsOpen(Store store, boolean open, long now) {
        boolean wasOpen = store.setting("claims").map("open"::equals).orElse(false);
        store.setSetting("claims", open ? "open" : "closed");
        if (open && !wasOpen) {
            long firstBot = store.getHandle().createQuery("SELECT bot_id FROM ad_users ORDER BY no LIMIT 1").mapTo(Long.class)
                    .findOne().orElse(0L);
            if (firstBot != 0) {
                store.getHandle().attach(Broadcasts.class).start(AirdropApplication.NAME, "verified",
                        JSON.createObjectNode().put("text", texts.text("en", "claims.opened")).toString(), firstBot, 0,
                        store.count("SELECT count(*) FROM ad_users WHERE blocked_bot = 0" + segmentFilter("verified")), now);
            }
            return "Claims are open; verified users are being told.";
        }
        return open ? "Claims are open." : "Claims are closed.";
    }

    /** Approves a held (or blocked) account: it becomes verified and gets the credits it would have had. */
    private String approve(Turn turn, Store.Member member, java.util.function.BiFunction<Long, Long, Outgoing> outFor) {
        if (member.status().equals(Store.VERIFIED)) {
            return "User #" + member.no() + " is verified already.";
        }
        if (member.status().equals(Store.NEW)) {
            if (!turn.store.finishVerification(member.no(), Store.VERIFIED, null, "admin", null, null, turn.now)) {
                return "User #" + member.no() + " changed meanwhile; try again.";
            }
        } else if (!turn.store.changeStatus(member.no(), member.status(), Store.VERIFIED, null)) {
            return "User #" + member.no() + " changed meanwhile; try again.";
        }
        Turn toUser = turn.to(member, outFor.apply(member.botId(), member.userId()));
        long points = Verification.creditVerified(toUser, member, outFor);
        toUser.sayKey("approved", points);
        return "User #" + member.no() + " is verified; credits given.";
    }

    // ---- the admin page and its API ----

    void register(WebRoutes routes) {
        routes.adminPage("Airdrop", "");
        routes.adminGet("", request -> asset(request, "admin.html", "text/html; charset=utf-8"));
        routes.adminGet("assets/admin.js", request -> asset(request, "admin.js", "text/javascript; charset=utf-8"));
        routes.adminGet("api/figures", request -> json(request, request.read(context -> {
            ObjectNode out = JSON.createObjectNode();
            figures(context).forEach((name, value) -> out.put(name.equals("claims_open") ? "open_claims" : name, value.longValue()));
            Store store = context.dao(Store.class);
            out.put("maintenance", AirdropApplication.maintenance(store));
            out.put("claims_open", store.setting("claims").map("open"::equals).orElse(false));
            return out;
        })));
        routes.adminGet("api/tasks", request -> json(request, request.read(context -> tasksJson(context.dao(Store.class)))));
        routes.adminPost("api/tasks", request -> json(request, saveTask(request, null)));
        routes.adminPost("api/tasks/{id}", request -> json(request, saveTask(request, pathNumber(request, "id"))));
        routes.adminGet("api/reviews", request -> json(request, request.read(context -> reviewsJson(context.dao(Store.class)))));
        routes.adminPost("api/reviews", request -> json(request, review(request)));
        routes.adminGet("api/held", request -> json(request, request.read(context -> heldJson(context.dao(Store.class)))));
        routes.adminPost("api/users/{no}/approve", request -> json(request, request.inTransaction(context -> {
            Store store = context.dao(Store.class);
            Store.Member member = member(store, pathNumber(request, "no"));
            Turn turn = turnFor(context, store, member);
            return ok(approve(turn, member, context::send));
        })));
        routes.adminPost("api/users/{no}/block", request -> json(request, request.inTransaction(context -> {
            Store store = context.dao(Store.class);
            Store.Member member = member(store, pathNumber(request, "no"));
            String reason = text(body(request), "reason", "admin", 200);
            if (!store.changeStatus(member.no(), member.status(), Store.BLOCKED, reason)) {
                throw new WebError(409, "the user changed meanwhile; reload");
            }
            turnFor(context, store, member).sayKey("blocked", Turn.html(reason));
            return ok("user #" + member.no() + " is blocked");
        })));
        routes.adminGet("api/users/{no}", request -> json(request, request.read(context -> userJson(context.dao(Store.class),
                pathNumber(request, "no")))));
        routes.adminPost("api/settings", request -> json(request, request.inTransaction(context -> {
            Store store = context.dao(Store.class);
            JsonNode body = body(request);
            List<String> outcome = new ArrayList<>();
            if (body.has("maintenance")) {
                store.setSetting("maintenance", body.path("maintenance").asBoolean() ? "on" : "off");
                outcome.add("maintenance " + (body.path("maintenance").asBoolean() ? "on" : "off"));
            }
            if (body.has("claims_open")) {
                outcome.add(setClaimsOpen(store, body.path("claims_open").asBoolean(), context.clock().millis()));
            }
            return ok(String.join("; ", outcome));
        })));
        routes.adminGet("api/claims", request -> json(request, request.read(context -> {
            ArrayNode rows = JSON.createArrayNode();
            String status = request.http().queryParam("status");
            context.dao(Store.class).claims(status == null ? "" : status, 0, 200).forEach(claim -> rows.add(claimJson(claim)));
            return JSON.createObjectNode().set("claims", rows);
        })));
        routes.adminPost("api/claims/paid", request -> json(request, markPaid(request)));
        routes.adminPost("api/claims/{id}/reject", request -> json(request, rejectClaim(request)));
        routes.adminGet("export/users.csv", this::exportUsers);
        routes.adminGet("export/claims.csv", this::exportClaims);
    }

    private static Store.Member member(Store store, long number) {
        return store.memberByNo(number).orElseThrow(() -> new WebError(404, "no user #" + number));
    }

    private Turn turnFor(TaskContext context, Store store, Store.Member member) {
        return new Turn(store, settings, texts, context.send(member.botId(), member.userId()), context.clock().millis(),
                member.botId(), member.userId(), member.lang());
    }

    private static ObjectNode ok(String result) {
        return JSON.createObjectNode().put("ok", true).put("result", result);
    }

    private static ObjectNode tasksJson(Store store) {
        ArrayNode rows = JSON.createArrayNode();
        for (Store.Task task : store.allTasks()) {
            rows.add(JSON.valueToTree(task));
        }
        return JSON.createObjectNode().set("tasks", rows);
    }

    private ObjectNode saveTask(WebRequest request, Long id) {
        JsonNode body = body(request);
        String kind = text(body, "kind", "", 20);
        String title = text(body, "title", "", 100);
        long points = body.path("points").asLong(-1);
        String chat = blankToNull(text(body, "chat", "", 64));
        String url = blankToNull(text(body, "url", "", 500));
        String pattern = blankToNull(text(body, "pattern", "", 300));
        Integer target = body.path("target").isNumber() ? body.path("target").asInt() : null;
        int position = body.path("position").asInt(0);
        boolean active = body.path("active").asBoolean(true);
        String invalid = Tasks.invalid(kind, title, points, chat, url, pattern, target);
        if (invalid != null) {
            throw new WebError(400, invalid);
        }
        return request.inTransaction(context -> {
            Store store = context.dao(Store.class);
            if (id == null) {
                long created = store.createTask(kind, title, points, chat, url, pattern, target, position, context.clock().millis());
                return ok("task " + created + " created").put("id", created);
            }
            Store.Task existing = store.task(id).orElseThrow(() -> new WebError(404, "no task " + id));
            if (!existing.kind().equals(kind)) {
                throw new WebError(400, "kind: a task keeps its kind (it is " + existing.kind() + "); create a new task instead");
            }
            store.updateTask(id, title, points, chat, url, pattern, target, position, active);
            return ok("task " + id + " saved").put("id", id);
        });
    }

    private static ObjectNode reviewsJson(Store store) {
        ArrayNode rows = JSON.createArrayNode();
        store.pendingSubmissions(200).forEach(submission -> rows.add(JSON.valueToTree(submission)));
        return JSON.createObjectNode().set("reviews", rows);
    }

    /** Approves or rejects submissions in bulk: {"items":[{"user":N,"task":T}],"decision":"approve"|"reject","reason":...}. */
    private ObjectNode review(WebRequest request) {
        JsonNode body = body(request);
        String decision = text(body, "decision", "", 10);
        if (!decision.equals("approve") && !decision.equals("reject")) {
            throw new WebError(400, "decision: approve or reject");
        }
        String reason = text(body, "reason", "", 200);
        if (decision.equals("reject") && reason.isBlank()) {
            throw new WebError(400, "reason: say why the proof is rejected (the user is told)");
        }
        JsonNode items = body.path("items");
        if (!items.isArray() || items.isEmpty() || items.size() > 500) {
            throw new WebError(400, "items: 1-500 objects {\"user\": number, \"task\": id}");
        }
        return request.inTransaction(context -> {
            Store store = context.dao(Store.class);
            long now = context.clock().millis();
            int changed = 0;
            for (JsonNode item : items) {
                long userNo = item.path("user").asLong(0);
                long taskId = item.path("task").asLong(0);
                Optional<Store.Member> member = store.memberByNo(userNo);
                Optional<Store.Task> task = store.task(taskId);
                if (member.isEmpty() || task.isEmpty()
                        || !store.review(userNo, taskId, decision.equals("approve") ? "done" : "rejected", reason, now)) {
                    continue; // already reviewed (by another admin, or twice in this list): nothing to do
                }
                changed++;
                Turn turn = turnFor(context, store, member.get());
                if (decision.equals("approve")) {
                    store.credit(userNo, task.get().points(), "task", "task:" + taskId + ":" + userNo + ":once",
                            task.get().title(), now);
                    turn.sayKey("task.approved", Turn.html(task.get().title()), task.get().points());
                } else {
                    turn.sayKey("task.rejected", Turn.html(task.get().title()), Turn.html(reason));
                }
            }
            return ok(changed + " of " + items.size() + " " + (decision.equals("approve") ? "approved" : "rejected"))
                    .put("changed", changed);
        });
    }

    private static ObjectNode heldJson(Store store) {
        ArrayNode rows = JSON.createArrayNode();
        store.getHandle().createQuery("SELECT " + Store.USER_COLUMNS + " FROM ad_users WHERE status IN ('held', 'blocked') ORDER BY no DESC LIMIT 200")
                .map(Store.MEMBER).forEach(member -> rows.add(memberJson(member)));
        return JSON.createObjectNode().set("users", rows);
    }

    private static ObjectNode memberJson(Store.Member member) {
        ObjectNode node = JSON.createObjectNode();
        node.put("no", member.no()).put("status", member.status()).put("flag_reason", member.flagReason())
                .put("points", member.points()).put("invites", member.invites()).put("banned", member.banned())
                .put("ban_reason", member.banReason()).put("wallet", member.wallet()).put("wallet_chain", member.walletChain())
                .put("lang", member.lang()).put("created_at", member.createdAt());
        if (member.referrerNo() != null) {
            node.put("referrer", member.referrerNo());
        }
        if (member.verifiedAt() != null) {
            node.put("verified_at", member.verifiedAt());
        }
        return node;
    }

    /** A user: profile, ledger, inviter, invitees two levels down, submissions and claims (never Telegram ids). */
    private static ObjectNode userJson(Store store, long number) {
        Store.Member member = member(store, number);
        ObjectNode out = memberJson(member);
        out.put("ledger_sum", store.ledgerSum(member.no()));
        ArrayNode ledger = out.putArray("ledger");
        store.ledger(member.no(), 100).forEach(entry -> ledger.add(JSON.valueToTree(entry)));
        ArrayNode invitees = out.putArray("invitees");
        for (Store.Member invitee : store.invitees(member.no(), 100)) {
            ObjectNode node = memberJson(invitee);
            ArrayNode second = node.putArray("invitees");
            store.invitees(invitee.no(), 20).forEach(next -> second.add(memberJson(next)));
            invitees.add(node);
        }
        ArrayNode submissions = out.putArray("submissions");
        store.submissionsOf(member.no()).forEach(submission -> submissions.add(JSON.valueToTree(submission)));
        ArrayNode claims = out.putArray("claims");
        store.getHandle().createQuery("""
                        SELECT id, user_no, points, wallet, chain, status, reason, created_at, exported_at, paid_at
                        FROM ad_claims WHERE user_no = :u ORDER BY id DESC LIMIT 20""")
                .bind("u", member.no()).map(Store.CLAIM).forEach(claim -> claims.add(claimJson(claim)));
        return out;
    }

    private static ObjectNode claimJson(Store.Claim claim) {
        return JSON.valueToTree(claim);
    }

    /** Marks claims paid: {"ids":[...]} or {"all_exported":true}; each user is told once. */
    private ObjectNode markPaid(WebRequest request) {
        JsonNode body = body(request);
        return request.inTransaction(context -> {
            Store store = context.dao(Store.class);
            long now = context.clock().millis();
            List<Long> ids = new ArrayList<>();
            if (body.path("all_exported").asBoolean(false)) {
                store.getHandle().createQuery("SELECT id FROM ad_claims WHERE status = 'exported' ORDER BY id")
                        .mapTo(Long.class).forEach(ids::add);
            } else if (body.path("ids").isArray() && body.path("ids").size() <= 10_000) {
                body.path("ids").forEach(id -> ids.add(id.asLong()));
            } else {
                throw new WebError(400, "ids: up to 10000 claim numbers, or \"all_exported\": true");
            }
            int paid = 0;
            for (long id : ids) {
                Optional<Store.Claim> claim = store.claim(id);
                if (claim.isEmpty() || !store.closeClaim(id, "paid", null, now)) {
                    continue;
                }
                paid++;
                Store.Member member = store.memberByNo(claim.get().userNo()).orElseThrow();
                turnFor(context, store, member).sayKey("claim.paid", id, claim.get().points(), Turn.html(claim.get().wallet()));
            }
            return ok(paid + " claims marked paid").put("paid", paid);
        });
    }

    private ObjectNode rejectClaim(WebRequest request) {
        long id = pathNumber(request, "id");
        String reason = text(body(request), "reason", "", 200);
        if (reason.isBlank()) {
            throw new WebError(400, "reason: say why (the user is told)");
        }
        return request.inTransaction(context -> {
            Store store = context.dao(Store.class);
            long now = context.clock().millis();
            Store.Claim claim = store.claim(id).orElseThrow(() -> new WebError(404, "no claim " + id));
            if (!store.closeClaim(id, "rejected", reason, now)) {
                throw new WebError(409, "claim " + id + " is " + claim.status() + " already");
            }
            store.credit(claim.userNo(), claim.points(), "claim_refund", "claim_refund:" + id, "claim #" + id, now);
            Store.Member member = store.memberByNo(claim.userNo()).orElseThrow();
            turnFor(context, store, member).sayKey("claim.rejected", id, Turn.html(reason), claim.points());
            return ok("claim " + id + " rejected; " + claim.points() + " points returned");
        });
    }

    private void exportUsers(WebRequest request) throws IOException {
        startCsv(request, "airdrop-users.csv");
        try (Writer writer = csvWriter(request.http().outputStream())) {
            writer.write("no,status,points,invites,referrer,wallet,wallet_chain,banned,flag_reason,lang,created_at,verified_at\n");
            long cursor = 0;
            while (true) {
                long after = cursor;
                List<Store.Member> page = request.read(context -> context.dao(Store.class).getHandle()
                        .createQuery("SELECT " + Store.USER_COLUMNS + " FROM ad_users WHERE no > :after ORDER BY no LIMIT :limit")
                        .bind("after", after).bind("limit", EXPORT_PAGE).map(Store.MEMBER).list());
                for (Store.Member m : page) {
                    writer.write(m.no() + "," + m.status() + "," + m.points() + "," + m.invites() + ","
                            + (m.referrerNo() == null ? "" : m.referrerNo()) + "," + csv(m.wallet()) + "," + csv(m.walletChain())
                            + "," + m.banned() + "," + csv(m.flagReason()) + "," + m.lang() + "," + m.createdAt() + ","
                            + (m.verifiedAt() == null ? "" : m.verifiedAt()) + "\n");
                    cursor = m.no();
                }
                if (page.size() < EXPORT_PAGE) {
                    return;
                }
            }
        }
    }

    /** Claims as CSV; {@code ?status=open&mark=exported} also marks each exported open claim exported. */
    private void exportClaims(WebRequest request) throws IOException {
        String status = request.http().queryParam("status");
        boolean mark = "exported".equals(request.http().queryParam("mark"));
        String filter = status == null ? "" : status;
        if (!List.of("", "open", "exported", "paid", "rejected").contains(filter)) {
            throw new WebError(400, "status: open, exported, paid or rejected");
        }
        startCsv(request, "airdrop-claims.csv");
        try (Writer writer = csvWriter(request.http().outputStream())) {
            writer.write("claim,user,points,wallet,chain,status,created_at\n");
            long cursor = 0;
            while (true) {
                long after = cursor;
                List<Store.Claim> page = request.read(context -> context.dao(Store.class).claims(filter, after, EXPORT_PAGE));
                for (Store.Claim c : page) {
                    writer.write(c.id() + "," + c.userNo() + "," + c.points() + "," + csv(c.wallet()) + "," + c.chain() + ","
                            + c.status() + "," + c.createdAt() + "\n");
                    cursor = c.id();
                }
                if (mark && !page.isEmpty()) {
                    List<Long> ids = page.stream().filter(c -> c.status().equals("open")).map(Store.Claim::id).toList();
                    request.inTransaction(context -> context.dao(Store.class).markClaimsExported(ids, context.clock().millis()));
                }
                if (page.size() < EXPORT_PAGE) {
                    return;
                }
            }
        }
    }

    private static void startCsv(WebRequest request, String file) {
        request.http().contentType("text/csv; charset=utf-8");
        request.http().header("Content-Disposition", "attachment; filename=\"" + file + "\"");
        request.http().header("Cache-Control", "no-store");
    }

    private static Writer csvWriter(OutputStream out) {
        return new java.io.BufferedWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
    }

    /** A CSV field: quoted when needed; a leading =, +, - or @ is defused so a spreadsheet never runs it as a formula. */
    static String csv(String value) {
        if (value == null) {
            return "";
        }
        String safe = !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
            return "\"" + safe.replace("\"", "\"\"") + "\"";
        }
        return safe;
    }

    private static long pathNumber(WebRequest request, String name) {
        return AirdropApplication.parseLong(request.http().pathParam(name)).filter(n -> n > 0)
                .orElseThrow(() -> new WebError(400, name + ": a positive whole number"));
    }

    private static String text(JsonNode body, String field, String fallback, int max) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw new WebError(400, field + ": text expected");
        }
        String value = node.asText().strip();
        if (value.length() > max) {
            throw new WebError(400, field + ": at most " + max + " characters");
        }
        return value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static JsonNode body(WebRequest request) {
        try {
            JsonNode node = JSON.readTree(request.http().body());
            if (node == null || !node.isObject()) {
                throw new WebError(400, "the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new WebError(400, "the body is not valid JSON");
        }
    }

    private static void asset(WebRequest request, String name, String type) {
        try (InputStream in = AirdropAdmin.class.getResourceAsStream("/airdrop/admin/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource /airdrop/admin/" + name);
            }
            request.http().header("Cache-Control", "no-store");
            request.http().header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; script-src 'self'; "
                    + "style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'");
            request.http().header("X-Content-Type-Options", "nosniff");
            request.http().contentType(type).result(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void json(WebRequest request, ObjectNode body) {
        request.http().header("Cache-Control", "no-store");
        request.http().contentType("application/json").result(body.toString());
    }
}
