package dev.telescale.emulator.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.updates.UpdateQueue;
import dev.telescale.emulator.updates.WebhookSettings;
import dev.telescale.emulator.updates.WebhookStatus;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A bot registered with the emulator: its identity, its chats, its pending updates and its
 * webhook. Created on the first request with a well-formed token. Thread-safe: maps are
 * concurrent, the webhook is replaced atomically, per-chat state locks itself.
 */
public final class Bot {
    private final long id;
    private final String token;
    private final String username;
    private final String firstName;
    private final int maxStoredMessagesPerChat;
    private final Map<Long, BotChat> chats = new ConcurrentHashMap<>();
    private final UpdateQueue updates;
    private final WebhookStatus webhookStatus = new WebhookStatus();
    private final Map<String, JsonNode> commandsByScope = new ConcurrentHashMap<>();
    private volatile WebhookSettings webhook;
    private volatile boolean revoked;

    public Bot(long id, String token, String username, String firstName, InstantSource clock, long seed,
               int maxStoredMessagesPerChat) {
        this.id = id;
        this.token = token;
        this.username = username;
        this.firstName = firstName;
        this.maxStoredMessagesPerChat = maxStoredMessagesPerChat;
        this.updates = new UpdateQueue(clock, seed ^ id);
    }

    public long id() {
        return id;
    }

    public String token() {
        return token;
    }

    public String username() {
        return username;
    }

    public String firstName() {
        return firstName;
    }

    public UpdateQueue updates() {
        return updates;
    }

    public WebhookSettings webhook() {
        return webhook;
    }

    public void setWebhook(WebhookSettings webhook) {
        this.webhook = webhook;
    }

    public WebhookStatus webhookStatus() {
        return webhookStatus;
    }

    public boolean revoked() {
        return revoked;
    }

    public void revoke() {
        revoked = true;
    }

    public Map<String, JsonNode> commandsByScope() {
        return commandsByScope;
    }

    /** The chat with this id as this bot sees it, created on first use from the given Chat object. */
    public BotChat chat(long chatId, Function<Long, ObjectNode> chatJson) {
        return chats.computeIfAbsent(chatId, cid -> new BotChat(cid, chatJson.apply(cid), maxStoredMessagesPerChat));
    }

    /** The chat if this bot has one with that id, or null. */
    public BotChat existingChat(long chatId) {
        return chats.get(chatId);
    }

    /** The bot's User object. */
    public ObjectNode userJson() {
        ObjectNode user = Json.object();
        user.put("id", id);
        user.put("is_bot", true);
        user.put("first_name", firstName);
        user.put("username", username);
        return user;
    }
}
