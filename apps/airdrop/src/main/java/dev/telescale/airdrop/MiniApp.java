package dev.telescale.airdrop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.app.TaskContext;
import dev.telescale.runtime.app.WebError;
import dev.telescale.runtime.app.WebRequest;
import dev.telescale.runtime.app.WebRoutes;
import dev.telescale.runtime.json.Json;
import dev.telescale.runtime.webapp.InitDataCheck;
import dev.telescale.runtime.webapp.WebAppInitData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Mini App: its page at /apps/airdrop/webapp and the JSON API the page calls under
 * /apps/airdrop/api/. The page sends Telegram's initData once ({@code POST api/session}); the
 * server checks its signature against the application's bots, refuses a stale one and refuses
 * the same initData a second time (its hash is kept in ad_initdata_used until it would be stale
 * anyway), and answers with a short-lived session token the page uses from then on. Every API
 * request counts against the per-address limit in the deployment's shared rate limiter
 * (AIRDROP_WEBAPP_RATE_LIMIT), so the limit holds across instances. Stateless; thread-safe.
 */
final class MiniApp {
    private static final ObjectMapper JSON = Json.newMapper();
    private static final Map<String, String> ASSETS = Map.of(
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");
    private static final java.util.regex.Pattern FINGERPRINT = java.util.regex.Pattern.compile("[0-9a-f]{16,128}");
    private static final int MAX_BODY = 16 * 1024;

    private final AirdropSettings settings;
    private final Texts texts;
    private final AirdropApplication application;
    private final Map<String, String> resources = new ConcurrentHashMap<>();

    MiniApp(AirdropSettings settings, Texts texts, AirdropApplication application) {
        this.settings = settings;
        this.texts = texts;
        this.application = application;
    }

    void register(WebRoutes routes) {
        routes.get("webapp", request -> page(request, "index.html", "text/html; charset=utf-8"));
        routes.get("webapp/{asset}", request -> {
            String type = ASSETS.get(request.http().pathParam("asset"));
            if (type == null) {
                throw new WebError(404, "no such file");
            }
            page(request, request.http().pathParam("asset"), type);
        });
        routes.post("api/session", this::session);
        routes.post("api/captcha", request -> json(request, newCaptcha(request)));
        routes.post("api/verify", this::verify);
        routes.get("api/me", request -> json(request, me(request)));
        routes.post("api/wallet", this::wallet);
        routes.post("api/tasks/{id}", this::pressTask);
    }

    private void page(WebRequest request, String name, String type) {
        request.http().header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                + "script-src 'self' https://telegram.org; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
                + "frame-ancestors *");
        request.http().header("X-Content-Type-Options", "nosniff");
        request.http().header("Referrer-Policy", "no-referrer");
        request.http().header("Cache-Control", "no-cache");
        request.http().contentType(type).result(resources.computeIfAbsent(name, MiniApp::resource));
    }

    private static String resource(String name) {
        try (InputStream in = MiniApp.class.getResourceAsStream("/airdrop/webapp/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource /airdrop/webapp/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Exchanges initData (once) for a session; creates the user on first sight (start_param: a referral code). */
    private void session(WebRequest request) {
        limit(request);
        JsonNode body = body(request);
        String initData = body.path("init_data").asText("");
        if (initData.isEmpty()) {
            throw new WebError(400, "init_data: send Telegram.WebApp.initData (open this page from the bot)");
        }
        WebAppInitData data = switch (request.checkInitData(initData, settings.initDataMaxAge())) {
            case InitDataCheck.Valid valid -> valid.data();
            case InitDataCheck.Invalid invalid -> throw new WebError(401, "initData refused: " + invalid.message());
        };
        long expires = data.authDate().toEpochMilli() + settings.initDataMaxAge().toMillis();
        ObjectNode answer = request.inTransaction(context -> {
            Store store = context.dao(Store.class);
            if (!store.useInitData(data.hash(), expires)) {
                throw new WebError(409, "this initData was used already: reopen the Mini App from the bot");
            }
            Store.Member member = store.member(data.userId()).orElse(null);
            if (member == null) {
                String lang = AirdropApplication.language(data.user().path("language_code").asText(""));
                Turn turn = turn(context, store, data.botId(), data.userId(), lang);
                member = application.join(turn, data.userId(), lang, data.user().path("is_premium").asBoolean(false),
                        data.startParam());
            }
            ObjectNode out = state(store, member, context.clock().millis());
            out.put("session", request.issueSession(data.botId(), data.userId()));
            return out;
        });
        json(request, answer);
    }

    private ObjectNode newCaptcha(WebRequest request) {
        WebRequest.Session session = authenticate(request);
        return request.inTransaction(context -> {
            Store store = context.dao(Store.class);
            Store.Member member = store.member(session.userId()).orElseThrow(() -> new WebError(404, "press /start in the bot first"));
            if (!member.status().equals(Store.NEW)) {
                throw new WebError(409, "already checked: " + member.status());
            }
            if (member.captchaFailures() >= settings.captchaAttempts()) {
                throw new WebError(403, texts.text(member.lang(), "captcha.too_many"));
            }
            Captcha.Challenge challenge = Captcha.next();
            store.setCaptcha(member.no(), challenge.answer(), context.clock().millis() + Captcha.LIFETIME_MILLIS);
            ObjectNode out = JSON.createObjectNode();
            out.put("ok", true);
            out.put("svg", Captcha.svg(challenge.question()));
            return out;
        });
    }

    /** The captcha's answer and the device fingerprint: verification, the farm check, the credits. */
    private void verify(WebRequest request) {
        WebRequest.Session session = authenticate(request);
        JsonNode body = body(request);
        String answer = body.path("answer").asText("").trim();
        String fingerprint = body.path("fingerprint").asText("").toLowerCase();
        if (!FINGERPRINT.matcher(fingerprint).matches()) {
            throw new WebError(400, "fingerprint: 16-128 hexadecimal digits (the page computes it)");
        }
        if (!answer.matches("\\d{1,4}")) {
            throw new WebError(400, "answer: the number in the picture");
        }
        String address = request.clientAddress();
        ObjectNode result = request.inTransaction(context -> {
            Store store = context.dao(Store.class);
            Store.Member member = store.member(session.userId()).orElseThrow(() -> new WebError(404, "press /start in the bot first"));
            long now = context.clock().millis();
            ObjectNode out = JSON.createObjectNode().put("ok", true);
            if (!member.status().equals(Store.NEW)) {
                return out.setAll(state(store, member, now));
            }
            if (member.banned()) {
                throw new WebError(403, "this account is banned");
            }
            if (member.captchaFailures() >= settings.captchaAttempts()) {
                throw new WebError(403, texts.text(member.lang(), "captcha.too_many"));
            }
            if (member.captchaAnswer() == null || member.captchaExpires() == null || member.captchaExpires() <= now) {
                throw new WebError(409, "the picture expired: ask for a new one");
            }
            if (!member.captchaAnswer().equals(answer)) {
                store.countCaptchaFailure(member.no());
                out.put("ok", false).put("error", "wrong answer").put("attempts_left",
                        Math.max(0, settings.captchaAttempts() - member.captchaFailures() - 1));
                return out;
            }
            Turn turn = turn(context, store, member.botId(), member.userId(), member.lang());
            Verification.verify(turn, member, Verification.Via.WEBAPP, fingerprint, address, context::send);
            return out.setAll(state(store, store.memberByNo(member.no()).orElseThrow(), now));
        });
        json(request, result);
    }

    private ObjectNode me(WebRequest request) {
        WebRequest.Session session = authenticate(request);
        return request.read(context -> {
            Store store = context.dao(Store.class);
            Store.Member member = store.member(session.userId()).orElseThrow(() -> new WebError(404, "press /start in the bot first"));
            ObjectNode out = state(store, member, context.clock().millis());
            String username = application.botUsername(member.botId());
            out.put("invite_link", "https://t.me/" + (username.isEmpty() ? "bot" : username) + "?start=" + member.referralCode());
            ArrayNode tasks = out.putArray("tasks");
            Map<Long, String> statuses = store.taskStatuses(member.no(), Tasks.today(context.clock().millis()));
            for (Store.Task task : store.activeTasks()) {
                tasks.addObject().put("id", task.id()).put("kind", task.kind()).put("title", task.title())
                        .put("points", task.points()).put("status", statuses.getOrDefault(task.id(), "todo"));
            }
            ArrayNode top = out.putArray("top");
            int place = 1;
            for (Store.Leader leader : store.top(100)) {
                top.addObject().put("rank", place++).put("no", leader.no()).put("points", leader.points());
            }
            return out;
        });
    }

    private void wallet(WebRequest request) {
        WebRequest.Session session = authenticate(request);
        String address = body(request).path("address").asText("");
        ObjectNode result = request.inTransaction(context -> {
            Store store = context.dao(Store.class);
            Store.Member member = store.member(session.userId()).orElseThrow(() -> new WebError(404, "press /start in the bot first"));
            if (!member.verified()) {
                throw new WebError(403, "verify first");
            }
            String outcome = AirdropApplication.setWallet(store, settings, member, address, context.clock().millis());
            if (outcome != null) {
                String[] parts = outcome.split("\\|", 2);
                throw new WebError(parts[0].equals("wallet.taken") ? 409 : 400,
                        texts.text(member.lang(), parts[0], parts.length > 1 ? parts[1] : "").replaceAll("<[^>]+>", ""));
            }
            return state(store, store.memberByNo(member.no()).orElseThrow(), context.clock().millis());
        });
        json(request, result);
    }

    /**
     * A task's button pressed in the page: the same as in the chat (the bot answers there; a
     * membership check answers when Telegram does). Answers the task's status afterwards.
     */
    private void pressTask(WebRequest request) {
        WebRequest.Session session = authenticate(request);
        long taskId = AirdropApplication.parseLong(request.http().pathParam("id")).filter(id -> id > 0)
                .orElseThrow(() -> new WebError(400, "task: a task number"));
        ObjectNode result = request.inTransaction(context -> {
            Store store = context.dao(Store.class);
            Store.Member member = store.member(session.userId()).orElseThrow(() -> new WebError(404, "press /start in the bot first"));
            if (!member.verified() || member.banned()) {
                throw new WebError(403, member.banned() ? "this account is banned" : "verify first");
            }
            if (AirdropApplication.maintenance(store)) {
                throw new WebError(503, texts.text(member.lang(), "maintenance"), 60);
            }
            Store.Task task = store.task(taskId).filter(Store.Task::active).orElseThrow(() -> new WebError(404, "no such task"));
            long now = context.clock().millis();
            Tasks.press(turn(context, store, member.botId(), member.userId(), member.lang()), member, task.id());
            Store.Member after = store.memberByNo(member.no()).orElseThrow();
            ObjectNode out = state(store, after, now);
            out.put("task_status", store.taskStatus(member.no(), task.id(),
                    task.kind().equals("checkin") ? Tasks.today(now) : "once").orElse("todo"));
            return out;
        });
        json(request, result);
    }

    private ObjectNode state(Store store, Store.Member member, long now) {
        ObjectNode out = JSON.createObjectNode();
        out.put("ok", true);
        out.put("no", member.no());
        out.put("status", member.status());
        out.put("points", member.points());
        out.put("rank", store.rankOf(member.points()));
        out.put("invites", member.invites());
        out.put("lang", member.lang());
        if (member.wallet() != null) {
            out.put("wallet", member.wallet()).put("wallet_chain", member.walletChain());
        }
        out.put("captcha_attempts_left", Math.max(0, settings.captchaAttempts() - member.captchaFailures()));
        if (member.banned()) {
            out.put("banned", true).put("reason", member.banReason() == null ? "" : member.banReason());
        } else if (member.status().equals(Store.HELD) || member.status().equals(Store.BLOCKED)) {
            out.put("reason", member.flagReason() == null ? "" : member.flagReason());
        }
        return out;
    }

    private Turn turn(TaskContext context, Store store, long botId, long userId, String lang) {
        return new Turn(store, settings, texts, context.send(botId, userId), context.clock().millis(), botId, userId, lang);
    }

    private WebRequest.Session authenticate(WebRequest request) {
        limit(request);
        String header = request.http().header("Authorization");
        String token = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : null;
        Optional<WebRequest.Session> session = request.session(token);
        if (session.isEmpty()) {
            throw new WebError(401, "the session is missing or expired: reopen the Mini App from the bot");
        }
        return session.get();
    }

    private void limit(WebRequest request) {
        request.limit("ip:" + request.clientAddress(), (int) Math.min(Integer.MAX_VALUE, settings.webAppRequests()),
                settings.webAppWindow());
    }

    private static JsonNode body(WebRequest request) {
        String body = request.http().body();
        if (body.length() > MAX_BODY) {
            throw new WebError(413, "the body is larger than " + MAX_BODY + " bytes");
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new WebError(400, "the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new WebError(400, "the body is not valid JSON");
        }
    }

    private static void json(WebRequest request, ObjectNode body) {
        request.http().header("Cache-Control", "no-store");
        request.http().contentType("application/json").result(body.toString());
    }
}
