package dev.telescale.emulator.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.WebhookPolicy;
import dev.telescale.emulator.api.ApiCall;
import dev.telescale.emulator.api.BotApiException;
import dev.telescale.emulator.api.Conversations;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.api.MediaFiles;
import dev.telescale.emulator.api.MethodRegistry;
import dev.telescale.emulator.api.ReplyMarkup;
import dev.telescale.emulator.api.TextEntities;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.BotChat;
import dev.telescale.emulator.state.EmulatorState;
import dev.telescale.emulator.state.FileStore.StoredFile;
import dev.telescale.emulator.state.InboxEvent;
import dev.telescale.emulator.state.SimGroup;
import dev.telescale.emulator.state.SimUser;
import dev.telescale.emulator.state.StoredMessage;
import dev.telescale.emulator.updates.UpdateQueue;
import dev.telescale.emulator.updates.WebhookDeliverer;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulated users' side of Telegram: what users do (send every kind of message, edit,
 * delete, react, press buttons, pay, block) becomes updates for the bot, exactly shaped as
 * Telegram's; what bots did is read back from inboxes. Also owns the state that ties both sides
 * together: callback queries, invoices, pre-checkout queries and Star payments, Mini App sessions
 * ({@link MiniApps}), with the Bot API methods that answer them.
 *
 * <p>Thread-safe: pending queries and payments live in concurrent maps; each pending query is
 * claimed exactly once with {@code remove}, so a query is answered at most once.
 */
public final class Simulator {
    private static final Duration PRE_CHECKOUT_DEADLINE = Duration.ofSeconds(10);

    private record PendingCallback(String id, long botId, long userId, long deadlineMillis) {
    }

    private record Invoice(String title, String payload, String currency, long totalAmount) {
    }

    private record PendingCheckout(String id, long botId, long userId, Invoice invoice, long deadlineMillis) {
    }

    private record Charge(String id, long botId, long userId, Invoice invoice, boolean refunded) {
    }

    private final EmulatorState state;
    private final MediaFiles media;
    private final WebhookPolicy policy;
    private final Map<String, PendingCallback> callbacks = new ConcurrentHashMap<>();
    private final Map<String, Invoice> invoices = new ConcurrentHashMap<>();
    private final Map<String, PendingCheckout> checkouts = new ConcurrentHashMap<>();
    private final Map<String, Charge> charges = new ConcurrentHashMap<>();
    private final Map<String, ArrayNode> reactions = new ConcurrentHashMap<>();
    private final MiniApps miniApps;

    public Simulator(EmulatorState state, MediaFiles media, WebhookDeliverer webhooks, WebhookPolicy policy) {
        this.state = state;
        this.media = media;
        this.policy = policy;
        this.miniApps = new MiniApps(state);
    }

    public EmulatorState state() {
        return state;
    }

    // ---- bots, users, groups ----

    /** Registers a bot by token (bots also register themselves with their first API call). */
    public Bot registerBot(String token) {
        try {
            return state.botForToken(token);
        } catch (BotApiException e) {
            throw SimException.badRequest("token rejected: " + e.description());
        }
    }

    public SimUser createUser(String firstName, String lastName, String username, String languageCode, boolean premium) {
        if (firstName == null || firstName.isBlank()) {
            throw SimException.badRequest("first_name is required");
        }
        if (username != null && !username.matches("[A-Za-z][A-Za-z0-9_]{3,31}")) {
            throw SimException.badRequest("username must be 4-32 letters, digits or underscores, starting with a letter");
        }
        return state.createUser(firstName, lastName, username, languageCode, premium);
    }

    public SimUser user(long userId) {
        SimUser user = state.user(userId);
        if (user == null) {
            throw SimException.notFound("no simulated user " + userId);
        }
        return user;
    }

    public Bot bot(long botId) {
        Bot bot = state.bot(botId);
        if (bot == null) {
            throw SimException.notFound("no bot " + botId
                    + "; a bot registers with its first Bot API call or with POST /sim/bots");
        }
        return bot;
    }

    /** Every bot the emulator knows, in the order they registered. */
    public List<Bot> bots() {
        return List.copyOf(state.bots());
    }

    /** A file as bot {@code botId} knows it by its file_id (404 when that bot has no such file). */
    public StoredFile file(long botId, String fileId) {
        bot(botId);
        try {
            StoredFile file = state.files().resolve(botId, fileId);
            if (file != null) {
                return file;
            }
        } catch (BotApiException e) {
            // another bot's file_id or an unknown one: the same answer as a missing file
        }
        throw SimException.notFound("bot " + botId + " has no file " + fileId);
    }

    /**
     * The reply keyboard bot {@code botId} last set in the user's private chat (or in the group
     * {@code chatId} when not 0), or null when none is shown.
     */
    public ObjectNode replyKeyboard(long userId, long botId, long chatId) {
        user(userId);
        BotChat chat = bot(botId).existingChat(chatId == 0 ? userId : chatId);
        return chat == null ? null : chat.replyKeyboard();
    }

    public SimGroup createGroup(String title, String type, String username, Map<Long, String> members) {
        if (title == null || title.isBlank()) {
            throw SimException.badRequest("title is required");
        }
        if (!List.of("group", "supergroup", "channel").contains(type)) {
            throw SimException.badRequest("type must be group, supergroup or channel");
        }
        members.values().forEach(Simulator::checkMemberStatus);
        SimGroup group = state.createGroup(title, type, username);
        members.forEach((id, status) -> setMember(group, id, status));
        return group;
    }

    public void setMember(SimGroup group, long memberId, String status) {
        checkMemberStatus(status);
        group.setStatus(memberId, status);
    }

    private static void checkMemberStatus(String status) {
        if (!List.of("creator", "administrator", "member", "restricted", "left", "kicked").contains(status)) {
            throw SimException.badRequest("status must be creator, administrator, member, restricted, left or kicked");
        }
    }

    public SimGroup group(long groupId) {
        SimGroup group = state.group(groupId);
        if (group == null) {
            throw SimException.notFound("no group " + groupId);
        }
        return group;
    }

    // ---- messages from users ----

    /**
     * The user sends a message to the bot (private chat, or the group {@code chatId} when not 0).
     * {@code content} holds one of text, photo, video, animation, voice, audio, video_note, sticker,
     * document, album, location, venue, contact, dice; with caption, reply_to and forward_from.
     * Media values are a data URL ({@code data:image/png;base64,...}), a file_id this bot gave out
     * earlier (that same file again), or any label, for which a synthetic file is made.
     */
    public SimResult send(long userId, long botId, long chatId, JsonNode content) {
        SimUser user = user(userId);
        Bot bot = bot(botId);
        BotChat chat = chatForUser(user, bot, chatId);
        String text = content.path("text").asText(null);
        boolean isStart = text != null && (text.equals("/start") || text.startsWith("/start "));
        if (chat.chatId() > 0) {
            if (chat.blocked() && !isStart) {
                throw SimException.badRequest("the user blocked this bot; unblock it (or send /start) first");
            }
            if (!chat.started() && !isStart) {
                throw SimException.badRequest("the user has not started this bot; send /start first");
            }
            if (isStart) {
                if (chat.blocked()) {
                    setBlocked(user, bot, chat, false);
                }
                chat.markStarted();
            }
        }
        if (content.has("album")) {
            return sendAlbum(user, bot, chat, content);
        }
        ObjectNode message = userMessage(user, chat);
        attachReply(chat, message, content);
        attachForward(message, content);
        putContent(bot, message, content);
        return publishMessage(bot, chat, message, "message");
    }

    private BotChat chatForUser(SimUser user, Bot bot, long chatId) {
        if (user.deactivated()) {
            throw SimException.badRequest("the user is deactivated");
        }
        if (chatId == 0 || chatId == user.id()) {
            return bot.chat(user.id(), id -> user.privateChatJson());
        }
        SimGroup group = group(chatId);
        String userStatus = group.status(user.id());
        if (List.of("left", "kicked").contains(userStatus)) {
            throw SimException.badRequest("the user is not a member of group " + chatId);
        }
        return bot.chat(chatId, id -> group.chatJson());
    }

    private ObjectNode userMessage(SimUser user, BotChat chat) {
        ObjectNode message = Json.object();
        message.put("message_id", chat.nextMessageId());
        message.set("from", user.userJson());
        message.set("chat", chat.chatJson());
        message.put("date", state.clock().millis() / 1000);
        return message;
    }

    private void attachReply(BotChat chat, ObjectNode message, JsonNode content) {
        int replyTo = content.path("reply_to").asInt(0);
        if (replyTo <= 0) {
            return;
        }
        StoredMessage replied = chat.message(replyTo);
        if (replied == null) {
            throw SimException.badRequest("reply_to: no message " + replyTo + " in this chat");
        }
        message.set("reply_to_message", Conversations.withoutReply(replied.json()));
    }

    private void attachForward(ObjectNode message, JsonNode content) {
        JsonNode from = content.get("forward_from");
        if (from == null) {
            return;
        }
        ObjectNode origin = Json.object();
        if (from.isNumber() && from.asLong() > 0) {
            origin.put("type", "user");
            origin.set("sender_user", user(from.asLong()).userJson());
        } else if (from.isNumber()) {
            SimGroup group = group(from.asLong());
            origin.put("type", "channel");
            origin.set("chat", group.chatJson());
            origin.put("message_id", content.path("forward_message_id").asInt(1));
        } else {
            origin.put("type", "hidden_user");
            origin.put("sender_user_name", from.asText());
        }
        origin.put("date", state.clock().millis() / 1000 - 60);
        message.set("forward_origin", origin);
    }

    private void putContent(Bot bot, ObjectNode message, JsonNode content) {
        boolean hasContent = false;
        if (content.hasNonNull("text")) {
            String text = content.get("text").asText();
            if (text.isEmpty()) {
                throw SimException.badRequest("text must not be empty");
            }
            message.put("text", text);
            ArrayNode entities = TextEntities.detect(text);
            if (!entities.isEmpty()) {
                message.set("entities", entities);
            }
            hasContent = true;
        }
        for (String kind : dev.telescale.emulator.state.MessageKinds.FILE_KINDS) {
            if (content.hasNonNull(kind)) {
                if (hasContent) {
                    throw SimException.badRequest("a message has exactly one kind of content");
                }
                String value = content.get(kind).asText();
                StoredFile file = knownFile(bot, kind, value);
                if (file == null) {
                    file = fileFrom(kind, value, content.path("file_name").asText(null));
                }
                message.set(kind, media.mediaJson(bot, file, null));
                hasContent = true;
            }
        }
        if (content.has("location")) {
            message.set("location", coordinates(content.get("location")));
            hasContent = true;
        }
        if (content.has("venue")) {
            JsonNode venue = content.get("venue");
            ObjectNode value = Json.object();
            value.set("location", coordinates(venue.path("location")));
            value.put("title", venue.path("title").asText("Venue"));
            value.put("address", venue.path("address").asText(""));
            message.set("location", value.get("location"));
            message.set("venue", value);
            hasContent = true;
        }
        if (content.has("contact")) {
            JsonNode contact = content.get("contact");
            ObjectNode value = Json.object();
            value.put("phone_number", contact.path("phone_number").asText("+10000000000"));
            value.put("first_name", contact.path("first_name").asText("Contact"));
            if (contact.has("last_name")) {
                value.put("last_name", contact.get("last_name").asText());
            }
            if (contact.has("user_id")) {
                value.put("user_id", contact.get("user_id").asLong());
            }
            message.set("contact", value);
            hasContent = true;
        }
        if (content.has("dice")) {
            ObjectNode dice = Json.object();
            dice.put("emoji", content.path("dice").asText("🎲").isEmpty() ? "🎲" : content.path("dice").asText("🎲"));
            dice.put("value", 1 + (int) (Math.abs(System.nanoTime()) % 6));
            message.set("dice", dice);
            hasContent = true;
        }
        if (!hasContent) {
            throw SimException.badRequest("nothing to send: give text, photo, video, animation, voice, audio, "
                    + "video_note, sticker, document, album, location, venue, contact or dice");
        }
        if (content.hasNonNull("caption") && !message.has("text")) {
            message.put("caption", content.get("caption").asText());
        }
    }

    private static ObjectNode coordinates(JsonNode location) {
        if (!location.path("latitude").isNumber() || !location.path("longitude").isNumber()) {
            throw SimException.badRequest("location needs numeric latitude and longitude");
        }
        ObjectNode value = Json.object();
        value.put("latitude", location.get("latitude").asDouble());
        value.put("longitude", location.get("longitude").asDouble());
        return value;
    }

    /**
     * The file a file_id of this bot designates, or null. A Telegram client sends a file that is
     * already on the server (a sticker, a photo sent or forwarded before) by reference: the message
     * carries the same file, with the same file_unique_id, instead of a new upload.
     */
    private StoredFile knownFile(Bot bot, String kind, String value) {
        if (value.startsWith("data:")) {
            return null;
        }
        try {
            StoredFile file = state.files().resolve(bot.id(), value);
            return file != null && file.kind().equals(kind) ? file : null;
        } catch (BotApiException e) {
            return null;
        }
    }

    /** A file a user sends: a data URL's bytes, or synthetic content for a label. */
    private StoredFile fileFrom(String kind, String value, String fileName) {
        byte[] bytes;
        String mime = null;
        if (value.startsWith("data:")) {
            int comma = value.indexOf(',');
            if (comma < 0 || !value.substring(0, comma).endsWith(";base64")) {
                throw SimException.badRequest(kind + ": a data URL must be base64 (data:<mime>;base64,<data>)");
            }
            mime = value.substring(5, comma - ";base64".length());
            try {
                bytes = Base64.getDecoder().decode(value.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                throw SimException.badRequest(kind + ": invalid base64 data");
            }
        } else if (kind.equals("photo")) {
            bytes = MediaFiles.syntheticPicture(value);
        } else {
            bytes = (kind + ":" + value).getBytes(StandardCharsets.UTF_8);
        }
        try {
            return media.storeBytes(kind, bytes, mime, kind.equals("document") && fileName == null ? value : fileName,
                    null);
        } catch (BotApiException e) {
            throw SimException.badRequest(kind + ": " + e.description());
        }
    }

    private SimResult sendAlbum(SimUser user, Bot bot, BotChat chat, JsonNode content) {
        JsonNode items = content.get("album");
        if (!items.isArray() || items.size() < 2 || items.size() > 10) {
            throw SimException.badRequest("album must be an array of 2 to 10 items {\"photo\"|\"video\": ..., \"caption\"?}");
        }
        String groupId = Long.toString(Math.abs(UUID.randomUUID().getMostSignificantBits()));
        List<Long> updates = new ArrayList<>();
        List<Integer> messages = new ArrayList<>();
        List<ObjectNode> built = new ArrayList<>();
        for (JsonNode item : items) {
            ObjectNode message = userMessage(user, chat);
            message.put("media_group_id", groupId);
            // the album's caption belongs to its first item, as in Telegram clients
            JsonNode itemContent = built.isEmpty() && item.isObject() && !item.has("caption")
                    && content.hasNonNull("caption") ? ((ObjectNode) item.deepCopy()).put("caption",
                    content.get("caption").asText()) : item;
            putContent(bot, message, itemContent);
            built.add(message);
        }
        // every item is checked before any is published, so a refused album delivers nothing
        for (ObjectNode message : built) {
            SimResult one = publishMessage(bot, chat, message, "message");
            updates.addAll(one.updateIds());
            messages.addAll(one.messageIds());
        }
        return new SimResult(updates, messages, null);
    }

    private SimResult publishMessage(Bot bot, BotChat chat, ObjectNode message, String type) {
        int messageId = message.get("message_id").asInt();
        chat.store(new StoredMessage(messageId, false, state.clock().millis(), message));
        ObjectNode body = Json.object();
        body.set(type, message);
        UpdateQueue.Pending pending = bot.updates().enqueue(type, body, "chat:" + chat.chatId(), policy.updateTtl());
        return SimResult.of(pending == null ? null : pending.updateId(), messageId);
    }

    public SimResult start(long userId, long botId, String payload) {
        ObjectNode content = Json.object();
        content.put("text", payload == null || payload.isEmpty() ? "/start" : "/start " + payload);
        return send(userId, botId, 0, content);
    }

    /**
     * Records that the user started the bot some time ago, as if their /start had long been
     * handled: the bot may now message them, and no update is queued. For load tools that preload
     * users into a bot's database instead of onboarding each through the bot (a user who blocked
     * the bot stays blocked).
     */
    public void markStarted(long userId, long botId) {
        SimUser user = user(userId);
        chatForUser(user, bot(botId), 0).markStarted();
    }

    /** The user edits their message: an edited_message update. */
    public SimResult edit(long userId, long botId, long chatId, int messageId, String newText) {
        SimUser user = user(userId);
        BotChat chat = chatForUser(user, bot(botId), chatId);
        StoredMessage stored = chat.message(messageId);
        if (stored == null || stored.sentByBot() || stored.json().path("from").path("id").asLong() != userId) {
            throw SimException.badRequest("the user has no message " + messageId + " in this chat");
        }
        if (newText == null || newText.isEmpty()) {
            throw SimException.badRequest("text (or caption) is required");
        }
        ObjectNode edited = stored.json().deepCopy();
        if (edited.has("text")) {
            edited.put("text", newText);
            edited.remove("entities");
            ArrayNode entities = TextEntities.detect(newText);
            if (!entities.isEmpty()) {
                edited.set("entities", entities);
            }
        } else {
            edited.put("caption", newText);
            edited.remove("caption_entities");
        }
        edited.put("edit_date", state.clock().millis() / 1000);
        chat.replace(new StoredMessage(messageId, false, stored.sentAtMillis(), edited));
        ObjectNode body = Json.object();
        body.set("edited_message", edited);
        UpdateQueue.Pending pending = bot(botId).updates().enqueue("edited_message", body, "chat:" + chat.chatId(),
                policy.updateTtl());
        return SimResult.of(pending == null ? null : pending.updateId(), messageId);
    }

    /** The user deletes messages; Telegram tells bots nothing about deletions in private chats. */
    public void delete(long userId, long botId, long chatId, List<Integer> messageIds) {
        BotChat chat = chatForUser(user(userId), bot(botId), chatId);
        for (int id : messageIds) {
            StoredMessage stored = chat.message(id);
            if (stored == null) {
                throw SimException.badRequest("no message " + id + " in this chat");
            }
            chat.remove(id);
        }
    }

    /** The user sets (or with a null emoji removes) their reaction: a message_reaction update. */
    public SimResult react(long userId, long botId, long chatId, int messageId, String emoji) {
        SimUser user = user(userId);
        Bot bot = bot(botId);
        BotChat chat = chatForUser(user, bot, chatId);
        if (chat.message(messageId) == null) {
            throw SimException.badRequest("no message " + messageId + " in this chat");
        }
        ArrayNode newReaction = Json.array();
        if (emoji != null && !emoji.isEmpty()) {
            ObjectNode reaction = newReaction.addObject();
            reaction.put("type", "emoji");
            reaction.put("emoji", emoji);
        }
        String key = botId + ":" + chat.chatId() + ":" + messageId + ":" + userId;
        ArrayNode oldReaction = reactions.put(key, newReaction);
        ObjectNode update = Json.object();
        update.set("chat", chat.chatJson());
        update.put("message_id", messageId);
        update.set("user", user.userJson());
        update.put("date", state.clock().millis() / 1000);
        update.set("old_reaction", oldReaction == null ? Json.array() : oldReaction);
        update.set("new_reaction", newReaction);
        ObjectNode body = Json.object();
        body.set("message_reaction", update);
        UpdateQueue.Pending pending = bot.updates().enqueue("message_reaction", body, "reaction:" + chat.chatId(),
                policy.updateTtl());
        return SimResult.of(pending == null ? null : pending.updateId(), messageId);
    }

    /** The user presses an inline button (by callback data, or by its text): a callback_query update. */
    public SimResult press(long userId, long botId, long chatId, int messageId, String data, String buttonText) {
        SimUser user = user(userId);
        Bot bot = bot(botId);
        BotChat chat = chatForUser(user, bot, chatId);
        StoredMessage stored = chat.message(messageId);
        if (stored == null || !stored.sentByBot()) {
            throw SimException.badRequest("no bot message " + messageId + " in this chat");
        }
        String pressed = null;
        for (JsonNode row : stored.json().path("reply_markup").path("inline_keyboard")) {
            for (JsonNode button : row) {
                boolean matches = data != null ? data.equals(button.path("callback_data").asText(null))
                        : buttonText != null && buttonText.equals(button.path("text").asText());
                if (matches && button.has("callback_data")) {
                    pressed = button.get("callback_data").asText();
                }
            }
        }
        if (pressed == null) {
            throw SimException.badRequest("message " + messageId + " has no inline button with "
                    + (data != null ? "callback_data " + data : "text " + buttonText));
        }
        String id = Long.toUnsignedString(UUID.randomUUID().getLeastSignificantBits());
        callbacks.put(id, new PendingCallback(id, botId, userId, state.clock().millis() + policy.shortTtl().toMillis()));
        ObjectNode query = Json.object();
        query.put("id", id);
        query.set("from", user.userJson());
        query.set("message", stored.json());
        query.put("chat_instance", chatInstance(chat.chatId(), botId));
        query.put("data", pressed);
        ObjectNode body = Json.object();
        body.set("callback_query", query);
        UpdateQueue.Pending pending = bot.updates().enqueue("callback_query", body, "callback:" + userId,
                policy.shortTtl());
        return new SimResult(pending == null ? List.of() : List.of(pending.updateId()), List.of(messageId), id);
    }

    /**
     * The chat_instance of a chat as one bot sees it: the same for callback queries and Mini Apps
     * opened from that chat, different between bots.
     */
    static String chatInstance(long chatId, long botId) {
        return Long.toString(Math.abs((chatId * 31) ^ botId));
    }

    // ---- Mini Apps ----

    /**
     * The user opens the Mini App at {@code url} of the bot outside any chat's button (a direct
     * link, the menu button, a reply-keyboard button): a new session with signed initData and the
     * launch URL. The URL must be one a Web App button may carry (HTTPS; http://localhost and
     * http://127.0.0.1 too).
     */
    public WebAppLaunch openWebApp(long userId, long botId, String url, Optional<String> startParam) {
        SimUser user = user(userId);
        Bot bot = bot(botId);
        if (user.deactivated()) {
            throw SimException.badRequest("the user is deactivated");
        }
        if (url == null || url.isBlank()) {
            throw SimException.badRequest("url (the Mini App's URL) is required, or message_id of a message with a "
                    + "web_app button");
        }
        String problem = ReplyMarkup.webAppUrlProblem(url);
        if (problem != null) {
            throw SimException.badRequest("url " + url + " is not a Mini App URL: " + problem);
        }
        return miniApps.launch(user, bot, url, null, startParam(startParam));
    }

    /**
     * The user presses a web_app button of the bot's message {@code messageId} in their private
     * chat: the button whose URL is {@code url}, else whose text is {@code buttonText}, else the
     * first. The initData then names the chat (chat_type and chat_instance).
     */
    public WebAppLaunch openWebAppButton(long userId, long botId, int messageId, String url, String buttonText,
                                         Optional<String> startParam) {
        SimUser user = user(userId);
        Bot bot = bot(botId);
        BotChat chat = chatForUser(user, bot, 0);
        StoredMessage stored = chat.message(messageId);
        if (stored == null || !stored.sentByBot()) {
            throw SimException.badRequest("no bot message " + messageId + " in this chat");
        }
        List<JsonNode> buttons = ReplyMarkup.inlineWebAppButtons(stored.json().path("reply_markup"));
        if (buttons.isEmpty()) {
            throw SimException.badRequest("message " + messageId + " has no web_app button");
        }
        JsonNode chosen = null;
        for (JsonNode button : buttons) {
            boolean matches = url != null ? url.equals(button.path("web_app").path("url").asText())
                    : buttonText == null || buttonText.equals(button.path("text").asText());
            if (matches) {
                chosen = button;
                break;
            }
        }
        if (chosen == null) {
            throw SimException.badRequest("message " + messageId + " has no web_app button with "
                    + (url != null ? "url " + url : "text " + buttonText));
        }
        return miniApps.launch(user, bot, chosen.path("web_app").path("url").asText(), chat, startParam(startParam));
    }

    private static String startParam(Optional<String> startParam) {
        String value = startParam.orElse(null);
        if (value != null && !value.matches("[A-Za-z0-9_-]{1,512}")) {
            throw SimException.badRequest("start_param must be 1-512 characters of A-Z, a-z, 0-9, _ and -");
        }
        return value;
    }

    /**
     * A Mini App opened from the reply-keyboard web_app button {@code buttonText} sends data back
     * (Telegram.WebApp.sendData, 1-4096 bytes): a message from the user with
     * {@code web_app_data {"data","button_text"}}. Telegram does not check the button text.
     */
    public SimResult sendWebAppData(long userId, long botId, String buttonText, String data) {
        SimUser user = user(userId);
        Bot bot = bot(botId);
        BotChat chat = chatForUser(user, bot, 0);
        if (chat.blocked()) {
            throw SimException.badRequest("the user blocked this bot; unblock it (or send /start) first");
        }
        if (!chat.started()) {
            throw SimException.badRequest("the user has not started this bot; send /start first");
        }
        if (buttonText == null || buttonText.isEmpty()) {
            throw SimException.badRequest("button_text (the keyboard button's text) is required");
        }
        int bytes = data == null ? 0 : data.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > 4096) {
            throw SimException.badRequest("data must be 1-4096 bytes, as Telegram.WebApp.sendData allows");
        }
        ObjectNode message = userMessage(user, chat);
        message.putObject("web_app_data").put("data", data).put("button_text", buttonText);
        return publishMessage(bot, chat, message, "message");
    }

    /** The Ed25519 public key (hex) that verifies the signature of every initData this emulator issues. */
    public String webAppPublicKey() {
        return miniApps.publicKeyHex();
    }

    /**
     * The menu button the user sees in the private chat with the bot: its web_app button
     * ({@code {"type":"web_app","text","web_app":{"url"}}}), or {@code {"type":"commands"}}.
     */
    public ObjectNode menuButton(long userId, long botId) {
        user(userId);
        return bot(botId).effectiveMenuButton(userId);
    }

    /** The user blocks or unblocks the bot: a my_chat_member update. */
    public SimResult setBlocked(long userId, long botId, boolean blocked) {
        SimUser user = user(userId);
        Bot bot = bot(botId);
        BotChat chat = bot.chat(userId, id -> user.privateChatJson());
        return setBlocked(user, bot, chat, blocked);
    }

    private SimResult setBlocked(SimUser user, Bot bot, BotChat chat, boolean blocked) {
        boolean was = chat.setBlocked(blocked);
        if (was == blocked) {
            return SimResult.of(null, null);
        }
        ObjectNode update = Json.object();
        update.set("chat", chat.chatJson());
        update.set("from", user.userJson());
        update.put("date", state.clock().millis() / 1000);
        update.set("old_chat_member", member(bot, blocked ? "member" : "kicked"));
        update.set("new_chat_member", member(bot, blocked ? "kicked" : "member"));
        ObjectNode body = Json.object();
        body.set("my_chat_member", update);
        UpdateQueue.Pending pending = bot.updates().enqueue("my_chat_member", body, "member:" + chat.chatId(),
                policy.updateTtl());
        return SimResult.of(pending == null ? null : pending.updateId(), null);
    }

    private static ObjectNode member(Bot bot, String status) {
        ObjectNode member = Json.object();
        member.put("status", status);
        member.set("user", bot.userJson());
        if (status.equals("kicked")) {
            member.put("until_date", 0);
        }
        return member;
    }

    public void deactivate(long userId) {
        user(userId).setDeactivated(true);
    }

    /** Everything the bot sent into the chat, after the given sequence number. */
    public List<InboxEvent> inbox(long userId, long botId, long chatId, long afterSeq) {
        user(userId);
        bot(botId);
        return state.inbox().events(botId, chatId == 0 ? userId : chatId, afterSeq);
    }

    /** Delivers an arbitrary Update as given (its update_id is replaced by the bot's next one). */
    public SimResult injectUpdate(long botId, JsonNode update) {
        Bot bot = bot(botId);
        if (!update.isObject()) {
            throw SimException.badRequest("an update must be a JSON object");
        }
        ObjectNode body = ((ObjectNode) update).deepCopy();
        body.remove("update_id");
        String type = body.fieldNames().hasNext() ? body.fieldNames().next() : "unknown";
        JsonNode inner = body.path(type);
        long chatId = inner.path("chat").path("id").asLong(inner.path("message").path("chat").path("id").asLong(0));
        String key = chatId != 0 ? type + ":" + chatId : type + ":" + inner.path("from").path("id").asLong(0);
        UpdateQueue.Pending pending = bot.updates().enqueue(type, body, key, policy.updateTtl());
        return SimResult.of(pending == null ? null : pending.updateId(), null);
    }

    // ---- payments ----

    /** The user pays an invoice message: a pre_checkout_query the bot must answer within 10 s. */
    public SimResult pay(long userId, long botId, int messageId) {
        SimUser user = user(userId);
        Bot bot = bot(botId);
        Invoice invoice = invoices.get(botId + ":" + userId + ":" + messageId);
        if (invoice == null) {
            throw SimException.badRequest("message " + messageId + " is not an invoice of this bot to this user");
        }
        String id = Long.toUnsignedString(UUID.randomUUID().getMostSignificantBits());
        checkouts.put(id, new PendingCheckout(id, botId, userId, invoice,
                state.clock().millis() + PRE_CHECKOUT_DEADLINE.toMillis()));
        ObjectNode query = Json.object();
        query.put("id", id);
        query.set("from", user.userJson());
        query.put("currency", invoice.currency());
        query.put("total_amount", invoice.totalAmount());
        query.put("invoice_payload", invoice.payload());
        ObjectNode body = Json.object();
        body.set("pre_checkout_query", query);
        UpdateQueue.Pending pending = bot.updates().enqueue("pre_checkout_query", body, "checkout:" + userId,
                policy.shortTtl());
        return new SimResult(pending == null ? List.of() : List.of(pending.updateId()), List.of(), id);
    }

    /** Registers the Bot API methods whose state lives here. */
    public void registerMethods(MethodRegistry registry, Conversations conversations) {
        registry.add("answerCallbackQuery", this::answerCallbackQuery);
        registry.add("sendInvoice", call -> sendInvoice(call, conversations));
        registry.add("answerPreCheckoutQuery", this::answerPreCheckoutQuery);
        registry.add("refundStarPayment", this::refundStarPayment);
        miniApps.registerMethods(registry, conversations);
    }

    private JsonNode answerCallbackQuery(ApiCall call) {
        String id = call.required("callback_query_id", "parameter \"callback_query_id\" is required");
        PendingCallback pending = callbacks.get(id);
        if (pending == null || pending.botId() != call.bot().id() || !callbacks.remove(id, pending)
                || pending.deadlineMillis() < state.clock().millis()) {
            throw BotApiException.badRequest("query is too old and response timeout expired or query ID is invalid");
        }
        ObjectNode details = Json.object();
        details.put("callback_query_id", id);
        if (call.has("text")) {
            details.put("text", call.arg("text"));
        }
        details.put("show_alert", call.boolArg("show_alert"));
        if (call.has("url")) {
            details.put("url", call.arg("url"));
        }
        state.inbox().record(call.bot().id(), pending.userId(), "callback_answer", 0, state.clock().millis(), details);
        return BooleanNode.TRUE;
    }

    private JsonNode sendInvoice(ApiCall call, Conversations conversations) {
        String title = call.required("title", "parameter \"title\" is required");
        String description = call.required("description", "parameter \"description\" is required");
        String payload = call.required("payload", "parameter \"payload\" is required");
        String currency = call.required("currency", "parameter \"currency\" is required");
        String rawPrices = call.required("prices", "parameter \"prices\" is required");
        if (title.length() > 32) {
            throw BotApiException.badRequest("INVOICE_TITLE_INVALID");
        }
        if (description.length() > 255) {
            throw BotApiException.badRequest("INVOICE_DESCRIPTION_INVALID");
        }
        if (payload.getBytes(StandardCharsets.UTF_8).length > 128) {
            throw BotApiException.badRequest("INVOICE_PAYLOAD_INVALID");
        }
        JsonNode prices = Json.parseOrNull(rawPrices);
        if (prices == null) {
            throw BotApiException.badRequest("can't parse prices JSON object");
        }
        if (!prices.isArray()) {
            throw BotApiException.badRequest("expected an Array of labeled prices");
        }
        if (prices.isEmpty()) {
            throw BotApiException.badRequest("there must be at least one price");
        }
        long total = 0;
        for (JsonNode price : prices) {
            if (price.path("label").asText("").isEmpty()) {
                throw BotApiException.badRequest("can't parse labeled price: LabeledPrice label must be non-empty");
            }
            total += price.path("amount").asLong(0);
        }
        if (currency.equals("XTR")) {
            if (call.has("provider_token")) {
                throw BotApiException.badRequest("PAYMENT_PROVIDER_INVALID");
            }
            if (prices.size() != 1 || total <= 0) {
                throw BotApiException.badRequest("STARS_INVOICE_INVALID");
            }
        } else if (!call.has("provider_token")) {
            throw BotApiException.badRequest("PAYMENT_PROVIDER_INVALID");
        }
        BotChat chat = conversations.sendTarget(call, 1);
        ObjectNode message = conversations.newBotMessage(call.bot(), chat);
        conversations.attachReply(call, chat, message);
        ObjectNode invoice = message.putObject("invoice");
        invoice.put("title", title);
        invoice.put("description", description);
        invoice.put("start_parameter", call.arg("start_parameter", ""));
        invoice.put("currency", currency);
        invoice.put("total_amount", total);
        JsonNode markup = ReplyMarkup.parse(call, chat);
        Conversations.applyCommonOptions(call, message, markup);
        // payable from the moment the user can see it: registered before the message is delivered
        invoices.put(call.bot().id() + ":" + chat.chatId() + ":" + message.path("message_id").asInt(),
                new Invoice(title, payload, currency, total));
        StoredMessage stored = conversations.deliver(call, chat, message);
        return stored.json();
    }

    private JsonNode answerPreCheckoutQuery(ApiCall call) {
        String id = call.required("pre_checkout_query_id", "parameter \"pre_checkout_query_id\" is required");
        boolean ok = call.boolArg("ok");
        if (!ok && !call.has("error_message")) {
            throw BotApiException.badRequest("parameter \"error_message\" is required");
        }
        PendingCheckout pending = checkouts.get(id);
        if (pending == null || pending.botId() != call.bot().id() || !checkouts.remove(id, pending)
                || pending.deadlineMillis() < state.clock().millis()) {
            throw BotApiException.badRequest("query is too old and response timeout expired or query ID is invalid");
        }
        SimUser user = state.user(pending.userId());
        Bot bot = call.bot();
        BotChat chat = bot.chat(user.id(), cid -> user.privateChatJson());
        if (!ok) {
            ObjectNode details = Json.object();
            details.put("pre_checkout_query_id", id);
            details.put("error_message", call.arg("error_message"));
            state.inbox().record(bot.id(), user.id(), "payment_declined", 0, state.clock().millis(), details);
            return BooleanNode.TRUE;
        }
        String chargeId = "stxtr" + Long.toUnsignedString(UUID.randomUUID().getMostSignificantBits(), 36);
        charges.put(chargeId, new Charge(chargeId, bot.id(), user.id(), pending.invoice(), false));
        ObjectNode message = userMessage(user, chat);
        ObjectNode payment = message.putObject("successful_payment");
        payment.put("currency", pending.invoice().currency());
        payment.put("total_amount", pending.invoice().totalAmount());
        payment.put("invoice_payload", pending.invoice().payload());
        payment.put("telegram_payment_charge_id", chargeId);
        payment.put("provider_payment_charge_id", "");
        publishMessage(bot, chat, message, "message");
        return BooleanNode.TRUE;
    }

    private JsonNode refundStarPayment(ApiCall call) {
        long userId = call.longArg("user_id", 0);
        if (userId <= 0) {
            throw BotApiException.badRequest("invalid user_id specified");
        }
        String chargeId = call.required("telegram_payment_charge_id",
                "parameter \"telegram_payment_charge_id\" is required");
        Charge charge = charges.get(chargeId);
        if (charge == null || charge.botId() != call.bot().id() || charge.userId() != userId) {
            throw BotApiException.badRequest("CHARGE_NOT_FOUND");
        }
        if (charge.refunded() || !charges.replace(chargeId, charge, new Charge(chargeId, charge.botId(), userId,
                charge.invoice(), true))) {
            throw BotApiException.badRequest("CHARGE_ALREADY_REFUNDED");
        }
        SimUser user = state.user(userId);
        BotChat chat = call.bot().chat(userId, cid -> user.privateChatJson());
        ObjectNode message = userMessage(user, chat);
        ObjectNode refund = message.putObject("refunded_payment");
        refund.put("currency", charge.invoice().currency());
        refund.put("total_amount", charge.invoice().totalAmount());
        refund.put("invoice_payload", charge.invoice().payload());
        refund.put("telegram_payment_charge_id", chargeId);
        publishMessage(call.bot(), chat, message, "message");
        return BooleanNode.TRUE;
    }

    // ---- downloads ----

    /** GET /file/bot<token>/<path>: the file's bytes, for a bot that has it. */
    public void download(Context ctx, String tokenSegment, String path) {
        if (!tokenSegment.startsWith("bot")) {
            ctx.status(404).contentType("application/json").result("{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
            return;
        }
        Bot bot;
        try {
            bot = state.botForToken(tokenSegment.substring(3));
        } catch (BotApiException e) {
            ctx.status(e.errorCode()).contentType("application/json").result("{\"ok\":false,\"error_code\":"
                    + e.errorCode() + ",\"description\":\"" + e.description() + "\"}");
            return;
        }
        StoredFile file = state.files().byPath(path);
        if (file == null || !state.files().hasFileId(bot.id(), file.uniqueId())) {
            ctx.status(404).contentType("application/json").result("{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
            return;
        }
        ctx.status(200).contentType(file.mimeType() == null ? "application/octet-stream" : file.mimeType())
                .result(file.bytes());
    }
}
