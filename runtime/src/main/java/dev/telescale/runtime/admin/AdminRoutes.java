package dev.telescale.runtime.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.app.AdminPanel;
import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.app.BroadcastAudience;
import dev.telescale.runtime.app.Broadcasts;
import dev.telescale.runtime.dispatch.PeriodicTasks;
import dev.telescale.runtime.json.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.Handler;
import io.javalin.http.SameSite;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin dashboard on the instance's HTTP port: {@code GET /admin} (the login form or the
 * page), {@code POST /admin/login}, {@code POST /admin/logout}, static assets under
 * {@code /admin/assets/}, and the JSON API the page polls under {@code /admin/api/} (see
 * docs/admin.md). Without ADMIN_PASSWORD every route answers 404 with how to turn it on. The
 * API takes a session cookie ({@link AdminLogin}) or {@code Authorization: Bearer <password>};
 * a write must be JSON, which a cross-site form cannot send, and the cookie is SameSite=Strict.
 * Errors are one-line JSON messages; nothing of an exception reaches the client.
 */
public final class AdminRoutes {
    private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
    private static final ObjectMapper JSON = Json.newMapper();
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([mhd])");
    private static final Map<String, String> ASSETS = Map.of("dashboard.js", "text/javascript; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8");

    private final Optional<AdminLogin> login;
    private final DashboardFigures figures;
    private final PanelRunner panel;
    private final String instanceId;
    /** Applications' own pages (title, path) the dashboard links to, in registration order. */
    private final java.util.List<Map.Entry<String, String>> applicationPages = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Runs the application's panel methods: actions in a transaction, figures and lists read without
     * one (so they never hold SQLite's writer lock); empty when no hosted application has a panel.
     */
    public record PanelRunner(Optional<BotApplication> application, PeriodicTasks tasks) {
        <T> T run(PeriodicTasks.TransactionWork<T> work) {
            return tasks.inTransaction(application.orElseThrow(), work);
        }

        <T> T read(PeriodicTasks.TransactionWork<T> work) {
            return tasks.readOnly(application.orElseThrow(), work);
        }

        AdminPanel panel() {
            return application.flatMap(BotApplication::adminPanel).orElseThrow();
        }

        boolean present() {
            return application.isPresent();
        }
    }

    public AdminRoutes(Optional<AdminLogin> login, DashboardFigures figures, PanelRunner panel, String instanceId) {
        this.login = login;
        this.figures = figures;
        this.panel = panel;
        this.instanceId = instanceId;
    }

    public void register(RoutesConfig routes) {
        routes.get("/admin", guard(this::page));
        routes.post("/admin/login", guard(this::logIn));
        routes.post("/admin/logout", guard(this::logOut));
        routes.get("/admin/assets/{file}", guard(this::asset));
        routes.get("/admin/api/overview", api(this::overview));
        routes.get("/admin/api/reports", api(ctx -> ctx.json(reports())));
        routes.post("/admin/api/users/{number}/ban", api(this::ban));
        routes.post("/admin/api/users/{number}/unban", api(this::unban));
        routes.get("/admin/api/broadcasts", api(ctx -> ctx.json(broadcasts())));
        routes.post("/admin/api/broadcasts", api(this::broadcast));
    }

    /**
     * An application's admin route (see {@code WebRoutes.adminGet}): the dashboard's login and
     * rules; a browser that is not logged in is sent to the login form, an API client gets 401.
     */
    public Handler applicationRoute(Handler handler) {
        Handler api = api(handler);
        return guard(ctx -> {
            if (!loggedIn(ctx) && ctx.method().name().equals("GET")
                    && String.valueOf(ctx.header("Accept")).contains("text/html")) {
                ctx.redirect("/admin", io.javalin.http.HttpStatus.SEE_OTHER);
                return;
            }
            api.handle(ctx);
        });
    }

    /** A page of an application's that the dashboard links to. */
    public void addApplicationPage(String title, String path) {
        applicationPages.add(Map.entry(title, path));
    }

    private Handler guard(Handler handler) {
        return ctx -> {
            ctx.header("Cache-Control", "no-store");
            if (login.isEmpty()) {
                ctx.status(404).contentType("text/plain; charset=utf-8")
                        .result("The admin dashboard is off: set ADMIN_PASSWORD (at least 12 characters) to turn it on.\n");
                return;
            }
            handler.handle(ctx);
        };
    }

    private Handler api(Handler handler) {
        return guard(ctx -> {
            if (!loggedIn(ctx)) {
                error(ctx, 401, "log in first: POST /admin/login, or send Authorization: Bearer <ADMIN_PASSWORD>");
                return;
            }
            if (ctx.method().name().equals("POST") && !String.valueOf(ctx.contentType()).startsWith("application/json")) {
                error(ctx, 415, "send the request body as application/json");
                return;
            }
            try {
                handler.handle(ctx);
            } catch (IllegalArgumentException e) {
                error(ctx, 400, e.getMessage());
            } catch (NoSuchPanel e) {
                error(ctx, 404, "no application on this instance has an admin panel");
            } catch (RuntimeException e) {
                log.warn("admin API {} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, 500, "the request failed on the server; see the instance's log");
            }
        });
    }

    private boolean loggedIn(Context ctx) {
        AdminLogin auth = login.orElseThrow();
        return auth.validSession(ctx.cookie(AdminLogin.COOKIE)) || auth.validBearer(ctx.header("Authorization"));
    }

    private void page(Context ctx) {
        ctx.contentType("text/html; charset=utf-8").result(resource(loggedIn(ctx) ? "dashboard.html" : "login.html")
                .replace("{{error}}", ""));
    }

    private void logIn(Context ctx) throws InterruptedException {
        if (login.orElseThrow().passwordMatches(ctx.formParam("password"))) {
            ctx.cookie(cookie(ctx, login.orElseThrow().newSession(), (int) AdminLogin.SESSION_LENGTH.toSeconds()));
            ctx.redirect("/admin", io.javalin.http.HttpStatus.SEE_OTHER);
            return;
        }
        Thread.sleep(500); // a guess costs half a second (virtual thread: nothing else waits)
        ctx.status(401).contentType("text/html; charset=utf-8").result(resource("login.html")
                .replace("{{error}}", "<p class=\"error\" id=\"login-error\">Wrong password.</p>"));
    }

    private void logOut(Context ctx) {
        ctx.cookie(cookie(ctx, "", 0));
        ctx.redirect("/admin", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private static Cookie cookie(Context ctx, String value, int maxAgeSeconds) {
        boolean https = "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto")) || ctx.scheme().equals("https");
        return new Cookie(AdminLogin.COOKIE, value, "/admin", maxAgeSeconds, https, true, null, SameSite.STRICT);
    }

    private void asset(Context ctx) {
        String type = ASSETS.get(ctx.pathParam("file"));
        if (type == null) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("no such asset\n");
            return;
        }
        ctx.contentType(type).result(resource(ctx.pathParam("file")));
    }

    private void overview(Context ctx) {
        ObjectNode body = JSON.createObjectNode();
        body.put("instance", instanceId);
        body.set("live", figures.live());
        body.set("history", figures.history());
        ArrayNode pages = body.putArray("pages");
        applicationPages.forEach(page -> pages.addObject().put("title", page.getKey()).put("path", page.getValue()));
        if (panel.present()) {
            ObjectNode app = body.putObject("figures");
            applicationFigures().forEach((name, value) -> app.put(name, value.doubleValue()));
            ArrayNode segments = body.putArray("segments");
            panel.application().flatMap(BotApplication::broadcastAudience)
                    .ifPresent(audience -> audience.segments().forEach(segments::add));
            body.put("application", panel.application().orElseThrow().name());
        }
        ctx.json(body);
    }

    /** The application's figures, for the page and for a chart sample; empty without a panel. */
    public Map<String, Number> applicationFigures() {
        if (!panel.present()) {
            return Map.of();
        }
        return panel.read(context -> panel.panel().figures(context));
    }

    private ArrayNode reports() {
        requirePanel();
        ArrayNode rows = JSON.createArrayNode();
        panel.read(context -> panel.panel().recentReports(context, 50)).forEach(report -> rows.addObject()
                .put("id", report.id()).put("reporter", report.reporterNumber()).put("reported", report.reportedNumber())
                .put("reason", report.reason()).put("status", report.status()).put("at", report.createdAtMillis())
                .put("reported_banned", report.reportedBanned()));
        return rows;
    }

    private void ban(Context ctx) {
        requirePanel();
        long number = userNumber(ctx);
        JsonNode body = body(ctx);
        Optional<Duration> duration = duration(body.path("duration").asText("forever"));
        String reason = body.path("reason").asText("").trim();
        if (reason.length() > 200) {
            throw new IllegalArgumentException("reason: at most 200 characters");
        }
        String outcome = panel.run(context -> panel.panel().ban(context, number, duration,
                reason.isEmpty() ? "admin" : reason));
        ctx.json(JSON.createObjectNode().put("ok", true).put("result", outcome));
    }

    private void unban(Context ctx) {
        requirePanel();
        long number = userNumber(ctx);
        String outcome = panel.run(context -> panel.panel().unban(context, number));
        ctx.json(JSON.createObjectNode().put("ok", true).put("result", outcome));
    }

    private ArrayNode broadcasts() {
        requirePanel();
        ArrayNode rows = JSON.createArrayNode();
        String app = panel.application().orElseThrow().name();
        panel.read(context -> context.dao(Broadcasts.class).list(app, 20)).forEach(b -> rows.addObject()
                .put("id", b.id()).put("segment", b.segment()).put("preview", preview(b.message())).put("queued", b.queued())
                .put("total", b.status().equals("running") ? Math.max(b.total(), b.queued()) : b.queued())
                .put("status", b.status()).put("at", b.createdAt()));
        return rows;
    }

    /** A broadcast's message in a line: its text or caption, else its kind ("[photo]"). */
    static String preview(String messageJson) {
        try {
            JsonNode message = JSON.readTree(messageJson);
            String text = message.path("text").asText(message.path("caption").asText(""));
            if (text.isEmpty()) {
                text = java.util.stream.Stream.of("photo", "video", "animation", "audio", "voice", "video_note", "document",
                        "sticker", "poll", "location", "contact").filter(message::has).findFirst()
                        .map(kind -> "[" + kind + "]").orElse("[message]");
            }
            return text.length() > 80 ? text.substring(0, 79) + "…" : text;
        } catch (IOException e) {
            return "[unreadable]";
        }
    }

    private void broadcast(Context ctx) {
        requirePanel();
        BotApplication application = panel.application().orElseThrow();
        BroadcastAudience audience = application.broadcastAudience()
                .orElseThrow(() -> new IllegalArgumentException(application.name() + " has no broadcasts"));
        JsonNode body = body(ctx);
        String text = body.path("text").asText("").strip();
        String segment = body.path("segment").asText(audience.segments().get(0));
        if (text.isEmpty()) {
            throw new IllegalArgumentException("text: write the message to broadcast");
        }
        if (text.length() > 4096) {
            throw new IllegalArgumentException("text: at most 4096 characters (it has " + text.length() + ")");
        }
        if (!audience.segments().contains(segment)) {
            throw new IllegalArgumentException("segment: one of " + audience.segments());
        }
        long id = panel.run(context -> {
            long firstBot = context.botIds().stream().sorted().findFirst().orElseThrow();
            return context.dao(Broadcasts.class).start(application.name(), segment,
                    JSON.createObjectNode().put("text", text).toString(), firstBot, 0, audience.count(context, segment),
                    context.clock().millis());
        });
        ctx.json(JSON.createObjectNode().put("ok", true).put("id", id));
    }

    private void requirePanel() {
        if (!panel.present()) {
            throw new NoSuchPanel();
        }
    }

    private static long userNumber(Context ctx) {
        try {
            long number = Long.parseLong(ctx.pathParam("number"));
            if (number > 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new IllegalArgumentException("user number: a positive whole number, e.g. /admin/api/users/42/ban");
    }

    private static Optional<Duration> duration(String text) {
        if (text.equals("forever")) {
            return Optional.empty();
        }
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
            throw new IllegalArgumentException("duration: forever, or a number with m, h or d, e.g. 30m, 24h, 7d");
        }
        long amount = Long.parseLong(matcher.group(1));
        return Optional.of(switch (matcher.group(2)) {
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        });
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode body = JSON.readTree(ctx.body());
            if (body == null || !body.isObject()) {
                throw new IllegalArgumentException("the body must be a JSON object");
            }
            return body;
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not valid JSON");
        }
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).contentType("application/json")
                .result(JSON.createObjectNode().put("ok", false).put("error", message).toString());
    }

    private static String resource(String name) {
        try (InputStream in = AdminRoutes.class.getResourceAsStream("/telescale/admin/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource /telescale/admin/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The instance hosts no application with an admin panel. */
    private static final class NoSuchPanel extends RuntimeException {
        NoSuchPanel() {
            super(null, null, false, false);
        }
    }
}
