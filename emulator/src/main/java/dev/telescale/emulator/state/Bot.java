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
    /** Menu buttons set with setChatMenuButton: per private chat, and the bot-wide one under 0. */
    private final Map<Long, ObjectNode> menuButtons = new ConcurrentHashMap<>();
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

    /**
     * The menu button set for the private chat {@code chatId}, or the bot-wide one when
     * {@code chatId} is 0, as getChatMenuButton returns it: {@code {"type":"default"}} when none
     * was set (or "default" was set last).
     */
    public ObjectNode menuButton(long chatId) {
        ObjectNode button = menuButtons.get(chatId);
        return button != null ? button : Json.object().put("type", "default");
    }

    /** Sets the menu button of a private chat, or the bot-wide one for 0; a "default" button clears it. */
    public void setMenuButton(long chatId, ObjectNode button) {
        if (button.path("type").asText().equals("default")) {
            menuButtons.remove(chatId);
        } else {
            menuButtons.put(chatId, button);
        }
    }

    /**
     * The menu button a client shows in the private chat with the user: the chat's own unless it is
     * the default, else the bot-wide one unless that is the default, else the command list
     * ({@code {"type":"commands"}}).
     */
    public ObjectNode effectiveMenuButton(long userId) {
        ObjectNode button = menuButtons.get(userId);
        if (button == null) {
            button = menuButtons.get(0L);
        }
        return button != null ? button : Json.object().put("type", "commands");
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
