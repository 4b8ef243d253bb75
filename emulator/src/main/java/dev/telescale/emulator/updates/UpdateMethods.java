package dev.telescale.emulator.updates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.EmulatorConfig;
import dev.telescale.emulator.api.ApiCall;
import dev.telescale.emulator.api.BotApiException;
import dev.telescale.emulator.api.DescribedResult;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.api.MethodRegistry;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.EmulatorState;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** getUpdates, setWebhook, deleteWebhook and getWebhookInfo with the real server's rules. */
public final class UpdateMethods {
    public static final int LONG_POLL_MAX_TIMEOUT = 50;
    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]*");
    private static final Set<String> KNOWN_TYPES = Set.of("message", "edited_message", "channel_post",
            "edited_channel_post", "business_connection", "business_message", "edited_business_message",
            "deleted_business_messages", "message_reaction", "message_reaction_count", "inline_query",
            "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media",
            "poll", "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
            "removed_chat_boost");
    private static final Set<Integer> WEBHOOK_PORTS = Set.of(443, 80, 88, 8443);

    private final EmulatorState state;
    private final WebhookDeliverer deliverer;
    private final EmulatorConfig config;

    public UpdateMethods(EmulatorState state, WebhookDeliverer deliverer, EmulatorConfig config) {
        this.state = state;
        this.deliverer = deliverer;
        this.config = config;
    }

    public void register(MethodRegistry registry) {
        registry.add("getUpdates", this::getUpdates);
        registry.add("setWebhook", this::setWebhook);
        registry.add("deleteWebhook", this::deleteWebhook);
        registry.add("getWebhookInfo", this::getWebhookInfo);
    }

    /**
     * allowed_updates: a JSON array of names; unknown names are ignored; an array naming nothing
     * known (also []) means the default; an absent or unparsable value keeps the previous setting.
     *
     * @return the new set (empty for the default), or null to keep the previous one
     */
    static Set<String> parseAllowedUpdates(ApiCall call) {
        String raw = call.arg("allowed_updates");
        if (raw == null) {
            return null;
        }
        JsonNode parsed = Json.parseOrNull(raw);
        if (parsed == null || !parsed.isArray()) {
            return null;
        }
        Set<String> types = new LinkedHashSet<>();
        for (JsonNode item : parsed) {
            if (!item.isTextual()) {
                return null;
            }
            String name = item.asText().toLowerCase(Locale.ROOT);
            if (KNOWN_TYPES.contains(name)) {
                types.add(name);
            }
        }
        return types;
    }

    private JsonNode getUpdates(ApiCall call) throws InterruptedException {
        Bot bot = call.bot();
        if (bot.webhook() != null) {
            throw BotApiException.conflict(
                    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
        }
        Set<String> allowed = parseAllowedUpdates(call);
        if (allowed != null) {
            bot.updates().setAllowedTypes(allowed);
        }
        long offset = call.longArg("offset", 0);
        int limit = (int) Math.max(1, Math.min(100, call.longArg("limit", 100)));
        int timeout = (int) Math.max(0, Math.min(LONG_POLL_MAX_TIMEOUT, call.longArg("timeout", 0)));
        List<UpdateQueue.Pending> updates = bot.updates().poll(offset, limit, Duration.ofSeconds(timeout));
        ArrayNode result = Json.array();
        for (UpdateQueue.Pending update : updates) {
            result.add(update.json());
            state.trace().delivered(bot.id(), chatOf(update), update.updateId());
        }
        return result;
    }

    /** The chat id an update concerns (for the trace), or 0. */
    static long chatOf(UpdateQueue.Pending update) {
        JsonNode body = update.json().get(update.type());
        if (body == null) {
            return 0;
        }
        JsonNode chat = body.path("chat").path("id");
        if (chat.isNumber()) {
            return chat.asLong();
        }
        JsonNode message = body.path("message").path("chat").path("id");
        if (message.isNumber()) {
            return message.asLong();
        }
        JsonNode from = body.path("from").path("id");
        return from.isNumber() ? from.asLong() : 0;
    }

    private Object setWebhook(ApiCall call) {
        String url = call.arg("url");
        if (url == null) {
            return deleteWebhook(call);
        }
        String secret = call.arg("secret_token");
        if (secret != null && secret.length() > 256) {
            throw BotApiException.badRequest("secret token is too long");
        }
        if (secret != null && !SECRET.matcher(secret).matches()) {
            throw BotApiException.badRequest("secret token contains unallowed characters");
        }
        URI uri;
        try {
            uri = URI.create(url.contains("://") ? url : "https://" + url);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
        } catch (IllegalArgumentException e) {
            throw BotApiException.badRequest("invalid webhook URL specified");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw BotApiException.badRequest("invalid webhook URL specified");
        }
        if (config.strictWebhookUrls()) {
            if (!scheme.equals("https")) {
                throw BotApiException.badRequest("bad webhook: An HTTPS URL must be provided for webhook");
            }
            int port = uri.getPort() == -1 ? 443 : uri.getPort();
            if (!WEBHOOK_PORTS.contains(port)) {
                throw BotApiException.badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443");
            }
        }
        int maxConnections = (int) Math.max(1, Math.min(100, call.longArg("max_connections", 40)));
        Bot bot = call.bot();
        Set<String> allowed = parseAllowedUpdates(call);
        if (allowed != null) {
            bot.updates().setAllowedTypes(allowed);
        }
        List<String> allowedList = new ArrayList<>(bot.updates().allowedTypes());
        WebhookSettings settings = new WebhookSettings(uri.toString(), secret, maxConnections, allowedList,
                call.arg("ip_address"), call.upload("certificate") != null);
        boolean drop = call.boolArg("drop_pending_updates");
        if (drop) {
            bot.updates().dropAll();
        }
        WebhookSettings previous = bot.webhook();
        if (!drop && previous != null && sameWebhook(previous, settings)) {
            return new DescribedResult(BooleanNode.TRUE, "Webhook is already set");
        }
        bot.webhookStatus().clear();
        bot.setWebhook(settings);
        bot.updates().wakeAll();
        deliverer.webhookChanged(bot);
        return new DescribedResult(BooleanNode.TRUE, "Webhook was set");
    }

    private static boolean sameWebhook(WebhookSettings a, WebhookSettings b) {
        return a.url().equals(b.url()) && Objects.equals(a.secretToken(), b.secretToken())
                && a.maxConnections() == b.maxConnections() && Objects.equals(a.ipAddress(), b.ipAddress())
                && !b.hasCustomCertificate();
    }

    private Object deleteWebhook(ApiCall call) {
        Bot bot = call.bot();
        if (call.boolArg("drop_pending_updates")) {
            bot.updates().dropAll();
        }
        WebhookSettings previous = bot.webhook();
        if (previous == null) {
            return new DescribedResult(BooleanNode.TRUE, "Webhook is already deleted");
        }
        bot.setWebhook(null);
        bot.webhookStatus().clear();
        bot.updates().wakeAll();
        deliverer.webhookChanged(bot);
        return new DescribedResult(BooleanNode.TRUE, "Webhook was deleted");
    }

    private JsonNode getWebhookInfo(ApiCall call) {
        Bot bot = call.bot();
        WebhookSettings webhook = bot.webhook();
        ObjectNode info = Json.object();
        info.put("url", webhook == null ? "" : webhook.url());
        info.put("has_custom_certificate", webhook != null && webhook.hasCustomCertificate());
        info.put("pending_update_count", bot.updates().pendingCount());
        if (webhook != null) {
            info.put("ip_address", webhook.ipAddress() == null ? "127.0.0.1" : webhook.ipAddress());
        }
        WebhookStatus status = bot.webhookStatus();
        if (status.lastErrorDate() > 0) {
            info.put("last_error_date", status.lastErrorDate());
            info.put("last_error_message", status.lastErrorMessage());
        }
        if (webhook != null) {
            info.put("max_connections", webhook.maxConnections());
            if (!webhook.allowedUpdates().isEmpty()) {
                ArrayNode allowed = info.putArray("allowed_updates");
                webhook.allowedUpdates().forEach(allowed::add);
            }
        }
        return info;
    }
}
