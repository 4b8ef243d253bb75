package dev.telescale.emulator.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.FloodLimits;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.faults.FaultSettings;
import dev.telescale.emulator.faults.LatencyDistribution;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.FileStore.StoredFile;
import dev.telescale.emulator.state.InboxEvent;
import dev.telescale.emulator.state.SimGroup;
import dev.telescale.emulator.state.SimUser;
import dev.telescale.emulator.state.Trace;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The simulation control API over HTTP and JSON ({@code /sim/...}), a thin adapter over
 * {@link Simulator}; documented in docs/emulator.md. Refusals are {@code {"ok":false,"error":"..."}}
 * with 400 or 404, never a stack trace.
 */
public final class SimRoutes {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SimRoutes.class);
    private final Emulator emulator;
    private final Simulator sim;

    public SimRoutes(Emulator emulator, Simulator sim) {
        this.emulator = emulator;
        this.sim = sim;
    }

    public void register(RoutesConfig routes) {
        routes.post("/sim/bots", safe(this::createBot));
        routes.get("/sim/bots", safe(this::listBots));
        routes.get("/sim/files/{fileId}", safe(this::file));
        routes.post("/sim/bots/{id}/updates", safe(ctx -> result(ctx, sim.injectUpdate(id(ctx), body(ctx)))));
        routes.post("/sim/users", safe(this::createUser));
        routes.get("/sim/users/{id}", safe(ctx -> ctx.json(json(sim.user(id(ctx)).userJson()))));
        routes.post("/sim/users/{id}/send", safe(ctx -> {
            JsonNode body = body(ctx);
            result(ctx, sim.send(id(ctx), botOf(body), body.path("chat").asLong(0), body));
        }));
        routes.post("/sim/users/{id}/start", safe(ctx -> {
            JsonNode body = body(ctx);
            result(ctx, sim.start(id(ctx), botOf(body), body.path("payload").asText("")));
        }));
        routes.post("/sim/users/{id}/edit", safe(ctx -> {
            JsonNode body = body(ctx);
            String text = body.hasNonNull("text") ? body.get("text").asText() : body.path("caption").asText(null);
            result(ctx, sim.edit(id(ctx), botOf(body), body.path("chat").asLong(0), messageId(body), text));
        }));
        routes.post("/sim/users/{id}/delete", safe(ctx -> {
            JsonNode body = body(ctx);
            List<Integer> ids = new ArrayList<>();
            if (body.path("message_ids").isArray()) {
                body.get("message_ids").forEach(node -> ids.add(node.asInt()));
            } else {
                ids.add(messageId(body));
            }
            sim.delete(id(ctx), botOf(body), body.path("chat").asLong(0), ids);
            ctx.json(json(Json.object().put("ok", true)));
        }));
        routes.post("/sim/users/{id}/react", safe(ctx -> {
            JsonNode body = body(ctx);
            result(ctx, sim.react(id(ctx), botOf(body), body.path("chat").asLong(0), messageId(body),
                    body.path("emoji").asText(null)));
        }));
        routes.post("/sim/users/{id}/press", safe(ctx -> {
            JsonNode body = body(ctx);
            result(ctx, sim.press(id(ctx), botOf(body), body.path("chat").asLong(0), messageId(body),
                    body.path("data").asText(null), body.path("text").asText(null)));
        }));
        routes.post("/sim/users/{id}/pay", safe(ctx -> {
            JsonNode body = body(ctx);
            result(ctx, sim.pay(id(ctx), botOf(body), messageId(body)));
        }));
        routes.post("/sim/users/{id}/block", safe(ctx -> result(ctx, sim.setBlocked(id(ctx), botOf(body(ctx)), true))));
        routes.post("/sim/users/{id}/unblock", safe(ctx -> result(ctx, sim.setBlocked(id(ctx), botOf(body(ctx)), false))));
        routes.post("/sim/users/{id}/deactivate", safe(ctx -> {
            sim.deactivate(id(ctx));
            ctx.json(json(Json.object().put("ok", true)));
        }));
        routes.get("/sim/users/{id}/inbox", safe(this::inbox));
        routes.get("/sim/users/{id}/keyboard", safe(this::keyboard));
        routes.post("/sim/users/{id}/webapp", safe(this::openWebApp));
        routes.post("/sim/users/{id}/webapp-data", safe(ctx -> {
            JsonNode body = body(ctx);
            result(ctx, sim.sendWebAppData(id(ctx), botOf(body), body.path("button_text").asText(null),
                    body.path("data").asText(null)));
        }));
        routes.get("/sim/users/{id}/menu-button", safe(ctx -> ctx.contentType("application/json")
                .result(Json.bytes(sim.menuButton(id(ctx), requiredBot(ctx))))));
        routes.get("/sim/webapp/public-key", safe(ctx -> ctx.contentType("application/json")
                .result(Json.bytes(Json.object().put("public_key", sim.webAppPublicKey())
                        .put("algorithm", "Ed25519")))));
        routes.post("/sim/groups", safe(this::createGroup));
        routes.post("/sim/groups/{id}/members", safe(ctx -> {
            JsonNode body = body(ctx);
            SimGroup group = sim.group(id(ctx));
            long member = body.path("user").asLong(body.path("bot").asLong(0));
            if (member == 0) {
                throw SimException.badRequest("user or bot is required");
            }
            sim.setMember(group, member, body.path("status").asText("member"));
            ctx.json(json(Json.object().put("ok", true)));
        }));
        routes.get("/sim/stats", safe(this::stats));
        routes.get("/sim/faults", safe(ctx -> ctx.json(json(faultsJson(emulator.faults().settings())))));
        routes.post("/sim/faults", safe(this::setFaults));
        routes.get("/sim/flood", safe(ctx -> ctx.json(json(Json.MAPPER.valueToTree(emulator.flood().limits())))));
        routes.post("/sim/flood", safe(this::setFlood));
        routes.get("/sim/trace", safe(this::trace));
        Handler unknown = safe(ctx -> {
            throw SimException.notFound("no simulation call " + ctx.method() + " " + ctx.path()
                    + "; see docs/emulator.md");
        });
        routes.get("/sim/<path>", unknown);
        routes.post("/sim/<path>", unknown);
    }

    private Handler safe(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (SimException e) {
                ctx.status(e.status()).contentType("application/json")
                        .result(Json.bytes(Json.object().put("ok", false).put("error", e.getMessage())));
            } catch (IllegalArgumentException e) {
                ctx.status(400).contentType("application/json")
                        .result(Json.bytes(Json.object().put("ok", false).put("error", e.getMessage())));
            } catch (RuntimeException e) {
                log.error("emulator bug in {}", ctx.path(), e);
                ctx.status(500).contentType("application/json")
                        .result(Json.bytes(Json.object().put("ok", false).put("error", "internal error; see the emulator log")));
            }
        };
    }

    private static String json(JsonNode node) {
        return Json.text(node);
    }

    private static long id(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw SimException.badRequest("id must be a number");
        }
    }

    private static JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) {
            return Json.object();
        }
        JsonNode body = Json.parseOrNull(text);
        if (body == null || !body.isObject()) {
            throw SimException.badRequest("the body must be a JSON object");
        }
        return body;
    }

    private static long botOf(JsonNode body) {
        if (!body.path("bot").canConvertToLong()) {
            throw SimException.badRequest("bot (the bot's id) is required");
        }
        return body.get("bot").asLong();
    }

    private static int messageId(JsonNode body) {
        if (!body.path("message_id").canConvertToInt()) {
            throw SimException.badRequest("message_id is required");
        }
        return body.get("message_id").asInt();
    }

    private static void result(Context ctx, SimResult result) {
        ObjectNode json = Json.object();
        json.put("update_id", result.updateId());
        json.put("message_id", result.messageId());
        if (result.updateIds().size() > 1 || result.messageIds().size() > 1) {
            ArrayNode updates = json.putArray("update_ids");
            result.updateIds().forEach(updates::add);
            ArrayNode messages = json.putArray("message_ids");
            result.messageIds().forEach(messages::add);
        }
        if (result.queryId() != null) {
            json.put("query_id", result.queryId());
        }
        ctx.contentType("application/json").result(Json.bytes(json));
    }

    private void createBot(Context ctx) {
        JsonNode body = body(ctx);
        Bot bot = sim.registerBot(body.path("token").asText(""));
        ctx.contentType("application/json").result(Json.bytes(Json.object().put("id", bot.id())
                .put("username", bot.username())));
    }

    private void listBots(Context ctx) {
        ArrayNode bots = Json.array();
        for (Bot bot : sim.bots()) {
            bots.addObject().put("id", bot.id()).put("username", bot.username()).put("first_name", bot.firstName());
        }
        ctx.contentType("application/json").result(Json.bytes(bots));
    }

    /** A file's bytes as one bot knows it, for pages that show what a user received. */
    private void file(Context ctx) {
        StoredFile file = sim.file(requiredBot(ctx), ctx.pathParam("fileId"));
        ctx.header("Cache-Control", "private, max-age=3600")
                .contentType(file.mimeType() == null ? "application/octet-stream" : file.mimeType())
                .result(file.bytes());
    }

    private void keyboard(Context ctx) {
        ObjectNode keyboard = sim.replyKeyboard(id(ctx), requiredBot(ctx), numberParam(ctx, "chat", 0));
        ctx.contentType("application/json").result(Json.bytes(keyboard != null ? keyboard
                : Json.object().putNull("keyboard")));
    }

    /**
     * Opens a Mini App: the web_app button of a bot message (message_id, with url or text to choose
     * among several), or the URL given. Deliberately a POST only: every launch starts a session.
     */
    private void openWebApp(Context ctx) {
        JsonNode body = body(ctx);
        long botId = botOf(body);
        String url = body.hasNonNull("url") ? body.get("url").asText() : null;
        Optional<String> startParam = body.hasNonNull("start_param")
                ? Optional.of(body.get("start_param").asText()) : Optional.empty();
        WebAppLaunch launch = body.hasNonNull("message_id")
                ? sim.openWebAppButton(id(ctx), botId, messageId(body), url, body.path("text").asText(null), startParam)
                : sim.openWebApp(id(ctx), botId, url, startParam);
        ctx.contentType("application/json").result(Json.bytes(Json.object().put("url", launch.url())
                .put("init_data", launch.initData()).put("launch_url", launch.launchUrl())
                .put("query_id", launch.queryId())));
    }

    /** An optional numeric query parameter. */
    private static long numberParam(Context ctx, String name, long otherwise) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw SimException.badRequest(name + " must be a number");
        }
    }

    /** The bot query parameter, required. */
    private static long requiredBot(Context ctx) {
        if (ctx.queryParam("bot") == null) {
            throw SimException.badRequest("query parameter bot is required");
        }
        return numberParam(ctx, "bot", 0);
    }

    private void createUser(Context ctx) {
        JsonNode body = body(ctx);
        SimUser user = sim.createUser(body.path("first_name").asText(null), body.path("last_name").asText(null),
                body.path("username").asText(null), body.path("language_code").asText(null),
                body.path("is_premium").asBoolean(false));
        ctx.contentType("application/json").result(Json.bytes(Json.object().put("id", user.id())));
    }

    private void createGroup(Context ctx) {
        JsonNode body = body(ctx);
        Map<Long, String> members = new HashMap<>();
        body.path("members").properties().forEach(entry -> {
            try {
                members.put(Long.parseLong(entry.getKey()), entry.getValue().asText());
            } catch (NumberFormatException e) {
                throw SimException.badRequest("members keys must be user or bot ids");
            }
        });
        SimGroup group = sim.createGroup(body.path("title").asText(null), body.path("type").asText("supergroup"),
                body.path("username").asText(null), members);
        ctx.contentType("application/json").result(Json.bytes(Json.object().put("id", group.id())));
    }

    private void inbox(Context ctx) {
        long botId = requiredBot(ctx);
        long chat = numberParam(ctx, "chat", 0);
        long after = numberParam(ctx, "after", 0);
        ArrayNode events = Json.array();
        for (InboxEvent event : sim.inbox(id(ctx), botId, chat, after)) {
            ObjectNode item = events.addObject();
            item.put("seq", event.seq());
            item.put("event", event.event());
            item.put("message_id", event.messageId());
            item.put("at", event.atMillis());
            if (event.event().equals("message") || event.event().equals("edit")) {
                describe(item, event.payload());
                item.set("message", event.payload());
            } else {
                item.setAll(event.payload());
            }
        }
        ctx.contentType("application/json").result(Json.bytes(events));
    }

    /** Flat fields for tools: kind, text or caption, file ids, reply target. */
    private static void describe(ObjectNode item, JsonNode message) {
        String kind = "service";
        for (String candidate : dev.telescale.emulator.state.MessageKinds.CONTENT_KINDS) {
            if (message.has(candidate)) {
                kind = candidate;
                break;
            }
        }
        item.put("kind", kind);
        if (message.has("text")) {
            item.put("text", message.get("text").asText());
        }
        if (message.has("caption")) {
            item.put("caption", message.get("caption").asText());
        }
        JsonNode media = message.get(kind);
        if (media != null && (media.isArray() || media.has("file_id"))) {
            JsonNode largest = media.isArray() ? media.get(media.size() - 1) : media;
            item.put("file_id", largest.path("file_id").asText());
            item.put("file_unique_id", largest.path("file_unique_id").asText());
        }
        if (message.has("reply_to_message")) {
            item.put("reply_to", message.get("reply_to_message").get("message_id").asInt());
        }
        if (message.has("media_group_id")) {
            item.put("media_group_id", message.get("media_group_id").asText());
        }
    }

    private void stats(Context ctx) {
        ObjectNode json = Json.object();
        json.set("calls", Json.MAPPER.valueToTree(emulator.stats().snapshot()));
        json.put("bots", emulator.state().bots().size());
        json.put("users", emulator.state().userCount());
        ObjectNode pending = json.putObject("pending_updates");
        for (Bot bot : emulator.state().bots()) {
            pending.put(Long.toString(bot.id()), bot.updates().pendingCount());
        }
        ctx.contentType("application/json").result(Json.bytes(json));
    }

    private static ObjectNode faultsJson(FaultSettings settings) {
        ObjectNode json = Json.object();
        ObjectNode latency = json.putObject("latency");
        latency.put("kind", settings.latency().kind());
        latency.put("mean_ms", settings.latency().meanMillis());
        latency.put("sigma", settings.latency().sigma());
        latency.put("max_ms", settings.latency().maxMillis());
        json.put("server_error_rate", settings.serverErrorRate());
        json.put("bad_gateway_rate", settings.badGatewayRate());
        json.put("connection_reset_rate", settings.connectionResetRate());
        json.put("too_many_requests_rate", settings.tooManyRequestsRate());
        json.put("storm_retry_after", settings.stormRetryAfter());
        json.put("webhook_failure_rate", settings.webhookFailureRate());
        return json;
    }

    private void setFaults(Context ctx) {
        JsonNode body = body(ctx);
        FaultSettings current = emulator.faults().settings();
        JsonNode latency = body.path("latency");
        LatencyDistribution distribution = latency.isObject()
                ? new LatencyDistribution(latency.path("kind").asText("none"), latency.path("mean_ms").asDouble(0),
                latency.path("sigma").asDouble(0.5), latency.path("max_ms").asDouble(0))
                : current.latency();
        FaultSettings next = new FaultSettings(distribution,
                body.path("server_error_rate").asDouble(current.serverErrorRate()),
                body.path("bad_gateway_rate").asDouble(current.badGatewayRate()),
                body.path("connection_reset_rate").asDouble(current.connectionResetRate()),
                body.path("too_many_requests_rate").asDouble(current.tooManyRequestsRate()),
                body.path("storm_retry_after").asInt(current.stormRetryAfter()),
                body.path("webhook_failure_rate").asDouble(current.webhookFailureRate()));
        emulator.faults().update(next);
        ctx.contentType("application/json").result(Json.bytes(faultsJson(next)));
    }

    private void setFlood(Context ctx) {
        JsonNode body = body(ctx);
        FloodLimits current = emulator.flood().limits();
        FloodLimits next = new FloodLimits(body.path("enabled").asBoolean(current.enabled()),
                body.path("perBotPerSecond").asDouble(current.perBotPerSecond()),
                body.path("perBotBurst").asInt(current.perBotBurst()),
                body.path("perChatPerSecond").asDouble(current.perChatPerSecond()),
                body.path("perChatBurst").asInt(current.perChatBurst()),
                body.path("perGroupPerMinute").asInt(current.perGroupPerMinute()));
        if (!(next.perBotPerSecond() > 0) || !(next.perChatPerSecond() > 0) || next.perGroupPerMinute() <= 0
                || Double.isInfinite(next.perBotPerSecond()) || Double.isInfinite(next.perChatPerSecond())) {
            throw SimException.badRequest("rates must be positive");
        }
        if (next.perBotBurst() < 1 || next.perChatBurst() < 1) {
            throw SimException.badRequest("bursts must be at least 1");
        }
        emulator.flood().update(next);
        ctx.contentType("application/json").result(Json.bytes(Json.MAPPER.valueToTree(next)));
    }

    private void trace(Context ctx) {
        long after = numberParam(ctx, "after", 0);
        int max = (int) Math.min(Integer.MAX_VALUE, numberParam(ctx, "max", 10_000));
        ArrayNode events = Json.array();
        for (Trace.Event event : emulator.state().trace().since(after, max)) {
            events.add(Json.MAPPER.valueToTree(event));
        }
        ctx.contentType("application/json").result(Json.bytes(events));
    }
}
