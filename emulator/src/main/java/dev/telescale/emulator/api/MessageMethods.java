package dev.telescale.emulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.BotChat;
import dev.telescale.emulator.state.EmulatorState;
import dev.telescale.emulator.state.FileStore.StoredFile;
import dev.telescale.emulator.state.MessageKinds;
import dev.telescale.emulator.state.StoredMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Sending, copying, forwarding, editing and deleting messages, chat actions and reactions,
 * with the real server's validation and error strings. Every send goes through
 * {@link Conversations}, so target checks, flood control, replies and storage are uniform.
 */
public final class MessageMethods {
    static final int MAX_TEXT_LENGTH = 4096;
    static final int MAX_CAPTION_LENGTH = 1024;
    static final Duration DELETE_WINDOW = Duration.ofHours(48);
    private static final Set<String> CHAT_ACTIONS = Set.of("cancel", "typing", "record_video", "upload_video",
            "record_audio", "record_voice", "upload_audio", "upload_voice", "upload_photo", "upload_document",
            "choose_sticker", "pick_up_location", "find_location", "record_video_note", "upload_video_note");
    private static final Set<String> DICE_EMOJI = Set.of("🎲", "🎯", "🏀", "⚽", "🎳", "🎰");
    private static final Set<String> NOT_COPYABLE = Set.of("invoice", "successful_payment", "giveaway",
            "giveaway_winners", "paid_media", "refunded_payment");

    private final Conversations conversations;
    private final EmulatorState state;
    private final MediaFiles media;

    public MessageMethods(Conversations conversations, MediaFiles media) {
        this.conversations = conversations;
        this.state = conversations.state();
        this.media = media;
    }

    public void register(MethodRegistry registry) {
        registry.add("sendMessage", this::sendMessage);
        for (String kind : MessageKinds.FILE_KINDS) {
            registry.add("send" + methodSuffix(kind), call -> sendFile(call, kind));
        }
        registry.add("sendLocation", this::sendLocation);
        registry.add("sendVenue", this::sendVenue);
        registry.add("sendContact", this::sendContact);
        registry.add("sendDice", this::sendDice);
        registry.add("sendMediaGroup", this::sendMediaGroup);
        registry.add("copyMessage", this::copyMessage);
        registry.add("copyMessages", call -> copyOrForwardMany(call, false));
        registry.add("forwardMessage", this::forwardMessage);
        registry.add("forwardMessages", call -> copyOrForwardMany(call, true));
        registry.add("editMessageText", this::editMessageText);
        registry.add("editMessageCaption", this::editMessageCaption);
        registry.add("editMessageReplyMarkup", this::editMessageReplyMarkup);
        registry.add("deleteMessage", this::deleteMessage);
        registry.add("deleteMessages", this::deleteMessages);
        registry.add("sendChatAction", this::sendChatAction);
        registry.add("setMessageReaction", this::setMessageReaction);
    }

    private static String methodSuffix(String kind) {
        return switch (kind) {
            case "video_note" -> "VideoNote";
            default -> Character.toUpperCase(kind.charAt(0)) + kind.substring(1);
        };
    }

    // ---- sending ----

    private JsonNode sendMessage(ApiCall call) {
        BotChat chat = conversations.sendTarget(call, 1);
        TextEntities.Parsed parsed = messageText(call);
        JsonNode markup = ReplyMarkup.parse(call, chat);
        ObjectNode message = conversations.newBotMessage(call.bot(), chat);
        conversations.attachReply(call, chat, message);
        message.put("text", parsed.text());
        if (!parsed.entities().isEmpty()) {
            message.set("entities", parsed.entities());
        }
        JsonNode preview = call.jsonArg("link_preview_options", "can't parse link preview options JSON object");
        if (preview != null && preview.isObject() && !preview.isEmpty()) {
            message.set("link_preview_options", preview);
        }
        Conversations.applyCommonOptions(call, message, markup);
        return conversations.deliver(call, chat, message).json();
    }

    private JsonNode sendFile(ApiCall call, String kind) {
        BotChat chat = conversations.sendTarget(call, 1);
        JsonNode markup = ReplyMarkup.parse(call, chat);
        StoredFile file = media.ingest(call, kind, kind);
        ObjectNode message = conversations.newBotMessage(call.bot(), chat);
        conversations.attachReply(call, chat, message);
        message.set(kind, media.mediaJson(call.bot(), file, call));
        if (!kind.equals("sticker") && !kind.equals("video_note")) {
            putCaption(call, message);
        }
        if (call.boolArg("has_spoiler") && Set.of("photo", "video", "animation").contains(kind)) {
            message.put("has_media_spoiler", true);
        }
        if (call.boolArg("show_caption_above_media")) {
            message.put("show_caption_above_media", true);
        }
        Conversations.applyCommonOptions(call, message, markup);
        return conversations.deliver(call, chat, message).json();
    }

    /** The text argument with its parse_mode or entities applied, checked as sendMessage and editMessageText do. */
    private static TextEntities.Parsed messageText(ApiCall call) {
        String text = call.arg("text");
        if (text == null) {
            throw BotApiException.badRequest("message text is empty");
        }
        TextEntities.Parsed parsed = TextEntities.parse(text, call.arg("parse_mode"),
                call.jsonArg("entities", "can't parse entities JSON object"));
        if (parsed.text().isBlank()) {
            throw BotApiException.badRequest("message text is empty");
        }
        if (TextEntities.utf16Length(parsed.text()) > MAX_TEXT_LENGTH) {
            throw BotApiException.badRequest("message is too long");
        }
        return parsed;
    }

    private static void putCaption(ApiCall call, ObjectNode message) {
        String caption = call.arg("caption");
        if (caption == null) {
            return;
        }
        TextEntities.Parsed parsed = TextEntities.parse(caption, call.arg("parse_mode"),
                call.jsonArg("caption_entities", "can't parse entities JSON object"));
        if (TextEntities.utf16Length(parsed.text()) > MAX_CAPTION_LENGTH) {
            throw BotApiException.badRequest("message caption is too long");
        }
        if (!parsed.text().isEmpty()) {
            message.put("caption", parsed.text());
            if (!parsed.entities().isEmpty()) {
                message.set("caption_entities", parsed.entities());
            }
        }
    }

    private JsonNode sendLocation(ApiCall call) {
        ObjectNode location = location(call);
        return sendSimple(call, "location", location);
    }

    private static ObjectNode location(ApiCall call) {
        double latitude = doubleArg(call, "latitude");
        double longitude = doubleArg(call, "longitude");
        if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
            throw BotApiException.badRequest("wrong location specified");
        }
        ObjectNode location = Json.object();
        location.put("latitude", latitude);
        location.put("longitude", longitude);
        if (call.has("horizontal_accuracy")) {
            location.put("horizontal_accuracy", doubleArg(call, "horizontal_accuracy"));
        }
        if (call.has("live_period")) {
            location.put("live_period", call.intArg("live_period", 0));
        }
        return location;
    }

    private static double doubleArg(ApiCall call, String name) {
        String value = call.arg(name);
        if (value == null) {
            throw BotApiException.badRequest("parameter \"" + name + "\" is required");
        }
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private JsonNode sendVenue(ApiCall call) {
        ObjectNode venue = Json.object();
        venue.set("location", location(call));
        venue.put("title", call.required("title", "parameter \"title\" is required"));
        venue.put("address", call.required("address", "parameter \"address\" is required"));
        if (call.has("foursquare_id")) {
            venue.put("foursquare_id", call.arg("foursquare_id"));
        }
        if (call.has("google_place_id")) {
            venue.put("google_place_id", call.arg("google_place_id"));
        }
        return sendSimple(call, "venue", venue);
    }

    private JsonNode sendContact(ApiCall call) {
        ObjectNode contact = Json.object();
        contact.put("phone_number", call.required("phone_number", "parameter \"phone_number\" is required"));
        contact.put("first_name", call.required("first_name", "parameter \"first_name\" is required"));
        if (call.has("last_name")) {
            contact.put("last_name", call.arg("last_name"));
        }
        if (call.has("vcard")) {
            contact.put("vcard", call.arg("vcard"));
        }
        return sendSimple(call, "contact", contact);
    }

    private JsonNode sendDice(ApiCall call) {
        String emoji = call.arg("emoji", "🎲");
        if (!DICE_EMOJI.contains(emoji)) {
            throw BotApiException.badRequest("invalid dice emoji specified");
        }
        int max = switch (emoji) {
            case "🎰" -> 64;
            case "🏀", "⚽" -> 5;
            default -> 6;
        };
        ObjectNode dice = Json.object();
        dice.put("emoji", emoji);
        dice.put("value", 1 + (int) (((state.clock().millis() ^ System.nanoTime()) & Long.MAX_VALUE) % max));
        return sendSimple(call, "dice", dice);
    }

    private JsonNode sendSimple(ApiCall call, String field, ObjectNode content) {
        BotChat chat = conversations.sendTarget(call, 1);
        JsonNode markup = ReplyMarkup.parse(call, chat);
        ObjectNode message = conversations.newBotMessage(call.bot(), chat);
        conversations.attachReply(call, chat, message);
        if (field.equals("venue")) {
            message.set("location", content.get("location"));
        }
        message.set(field, content);
        Conversations.applyCommonOptions(call, message, markup);
        return conversations.deliver(call, chat, message).json();
    }

    private JsonNode sendMediaGroup(ApiCall call) {
        String raw = call.required("media", "parameter \"media\" is required");
        JsonNode items = Json.parseOrNull(raw);
        if (items == null) {
            throw BotApiException.badRequest("can't parse media JSON object");
        }
        if (!items.isArray()) {
            throw BotApiException.badRequest("expected an Array of InputMedia");
        }
        if (items.size() < 2 || items.size() > 10) {
            throw BotApiException.badRequest("MEDIA_GROUP_INVALID");
        }
        List<String> kinds = new ArrayList<>();
        for (JsonNode item : items) {
            String type = item.path("type").asText();
            switch (type) {
                case "photo", "video", "audio", "document" -> kinds.add(type);
                case "animation" -> throw BotApiException.badRequest(
                        "can't parse InputMedia: type \"animation\" can't be used in sendMediaGroup");
                default -> throw BotApiException.badRequest("can't parse InputMedia: type \"" + type + "\" is unsupported");
            }
            if (!item.path("media").isTextual() || item.get("media").asText().isEmpty()) {
                throw BotApiException.badRequest("can't parse InputMedia: media not found");
            }
        }
        boolean mixesAudio = kinds.contains("audio") && kinds.stream().anyMatch(k -> !k.equals("audio"));
        boolean mixesDocument = kinds.contains("document") && kinds.stream().anyMatch(k -> !k.equals("document"));
        if (mixesAudio || mixesDocument) {
            throw BotApiException.badRequest("can't use the media of the specified type in the album");
        }
        BotChat chat = conversations.sendTarget(call, items.size());
        List<StoredFile> files = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            files.add(media.ingestReference(call.bot(), kinds.get(i), items.get(i).get("media").asText(), call));
        }
        ObjectNode replyProbe = Json.object();
        conversations.attachReply(call, chat, replyProbe);
        String groupId = Long.toString(Math.abs((state.clock().millis() << 16) ^ System.nanoTime()));
        ArrayNode result = Json.array();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            ObjectNode message = conversations.newBotMessage(call.bot(), chat);
            if (replyProbe.has("reply_to_message")) {
                message.set("reply_to_message", replyProbe.get("reply_to_message"));
            }
            message.put("media_group_id", groupId);
            message.set(kinds.get(i), media.mediaJson(call.bot(), files.get(i), null));
            if (item.hasNonNull("caption")) {
                TextEntities.Parsed caption = TextEntities.parse(item.get("caption").asText(),
                        item.path("parse_mode").asText(null), item.get("caption_entities"));
                if (!caption.text().isEmpty()) {
                    message.put("caption", caption.text());
                    if (!caption.entities().isEmpty()) {
                        message.set("caption_entities", caption.entities());
                    }
                }
            }
            if (item.path("has_spoiler").asBoolean(false)) {
                message.put("has_media_spoiler", true);
            }
            Conversations.applyCommonOptions(call, message, null);
            result.add(conversations.deliver(call, chat, message).json());
        }
        return result;
    }

    // ---- copy and forward ----

    private StoredMessage sourceMessage(ApiCall call, String notFound) {
        long fromChatId = state.resolveChatId(call.required("from_chat_id", "parameter \"from_chat_id\" is required"));
        BotChat from = call.bot().existingChat(fromChatId);
        if (from == null) {
            throw BotApiException.chatNotFound();
        }
        int messageId = call.intArg("message_id", 0);
        StoredMessage source = messageId <= 0 ? null : from.message(messageId);
        if (source == null) {
            throw BotApiException.badRequest(notFound);
        }
        return source;
    }

    private JsonNode copyMessage(ApiCall call) {
        StoredMessage source = sourceMessage(call, "message to copy not found");
        BotChat chat = conversations.sendTarget(call, 1);
        JsonNode markup = ReplyMarkup.parse(call, chat);
        ObjectNode message = copyContent(call, chat, source, false);
        conversations.attachReply(call, chat, message);
        if (call.has("caption") && hasMedia(source)) {
            message.remove("caption");
            message.remove("caption_entities");
            putCaption(call, message);
        }
        Conversations.applyCommonOptions(call, message, markup);
        StoredMessage delivered = conversations.deliver(call, chat, message);
        ObjectNode id = Json.object();
        id.put("message_id", delivered.messageId());
        return id;
    }

    private static boolean hasMedia(StoredMessage message) {
        for (String kind : MessageKinds.FILE_KINDS) {
            if (message.json().has(kind)) {
                return true;
            }
        }
        return false;
    }

    private JsonNode forwardMessage(ApiCall call) {
        StoredMessage source = sourceMessage(call, "message to forward not found");
        BotChat chat = conversations.sendTarget(call, 1);
        ObjectNode message = copyContent(call, chat, source, true);
        if (call.boolArg("protect_content")) {
            message.put("has_protected_content", true);
        }
        return conversations.deliver(call, chat, message).json();
    }

    /**
     * A new message in {@code chat} with the content of {@code source}: the same bot's file ids,
     * text and entities, caption; a forward adds forward_origin (revealing the original sender).
     */
    private ObjectNode copyContent(ApiCall call, BotChat chat, StoredMessage source, boolean forward) {
        ObjectNode original = source.json();
        String kind = source.kind();
        if (kind.equals("service") || NOT_COPYABLE.stream().anyMatch(original::has)) {
            throw BotApiException.badRequest(forward ? "message can't be forwarded" : "message can't be copied");
        }
        if (original.path("has_protected_content").asBoolean(false)) {
            throw BotApiException.badRequest(forward ? "message can't be forwarded" : "message can't be copied");
        }
        ObjectNode message = conversations.newBotMessage(call.bot(), chat);
        if (forward) {
            message.set("forward_origin", forwardOrigin(original));
            if (original.path("chat").path("type").asText().equals("channel")) {
                message.put("is_automatic_forward", false);
            }
        }
        for (String field : new String[] {"text", "entities", "animation", "audio", "document", "photo", "sticker",
                "video", "video_note", "voice", "caption", "caption_entities", "contact", "dice", "location", "venue",
                "poll", "has_media_spoiler", "show_caption_above_media", "link_preview_options"}) {
            if (original.has(field)) {
                message.set(field, original.get(field).deepCopy());
            }
        }
        if (forward && original.has("reply_markup")) {
            JsonNode markup = original.get("reply_markup");
            if (onlyUrlButtons(markup)) {
                message.set("reply_markup", markup.deepCopy());
            }
        }
        return message;
    }

    private static boolean onlyUrlButtons(JsonNode markup) {
        for (JsonNode row : markup.path("inline_keyboard")) {
            for (JsonNode button : row) {
                if (!button.has("url")) {
                    return false;
                }
            }
        }
        return true;
    }

    private static ObjectNode forwardOrigin(ObjectNode original) {
        if (original.has("forward_origin")) {
            return original.get("forward_origin").deepCopy();
        }
        ObjectNode origin = Json.object();
        JsonNode chat = original.path("chat");
        if (chat.path("type").asText().equals("channel")) {
            origin.put("type", "channel");
            origin.set("chat", chat.deepCopy());
            origin.put("message_id", original.get("message_id").asInt());
        } else if (original.has("sender_chat")) {
            origin.put("type", "chat");
            origin.set("sender_chat", original.get("sender_chat").deepCopy());
        } else {
            origin.put("type", "user");
            origin.set("sender_user", original.get("from").deepCopy());
        }
        origin.put("date", original.get("date").asLong());
        return origin;
    }

    private JsonNode copyOrForwardMany(ApiCall call, boolean forward) {
        List<Integer> ids = messageIds(call);
        long fromChatId = state.resolveChatId(call.required("from_chat_id", "parameter \"from_chat_id\" is required"));
        BotChat from = call.bot().existingChat(fromChatId);
        if (from == null) {
            throw BotApiException.chatNotFound();
        }
        List<StoredMessage> sources = new ArrayList<>();
        for (int id : ids) {
            StoredMessage source = from.message(id);
            if (source != null && !source.kind().equals("service")) {
                sources.add(source);
            }
        }
        if (sources.isEmpty()) {
            throw BotApiException.badRequest(forward ? "messages can't be forwarded" : "messages can't be copied");
        }
        BotChat chat = conversations.sendTarget(call, sources.size());
        boolean removeCaption = call.boolArg("remove_caption");
        ArrayNode result = Json.array();
        // Album grouping is kept: items of one source album become one new album in the target chat.
        java.util.Map<String, String> newGroups = new java.util.HashMap<>();
        for (StoredMessage source : sources) {
            ObjectNode message = copyContent(call, chat, source, forward);
            String sourceGroup = source.json().path("media_group_id").asText(null);
            if (sourceGroup != null) {
                message.put("media_group_id", newGroups.computeIfAbsent(sourceGroup,
                        group -> Long.toString(Math.abs(java.util.UUID.randomUUID().getMostSignificantBits()))));
            }
            if (!forward && removeCaption) {
                message.remove("caption");
                message.remove("caption_entities");
            }
            if (call.boolArg("protect_content")) {
                message.put("has_protected_content", true);
            }
            StoredMessage delivered = conversations.deliver(call, chat, message);
            result.addObject().put("message_id", delivered.messageId());
        }
        return result;
    }

    /** The message_ids argument of the *Messages methods, with the real checks. */
    static List<Integer> messageIds(ApiCall call) {
        String raw = call.arg("message_ids");
        if (raw == null) {
            throw BotApiException.badRequest("message identifiers are not specified");
        }
        JsonNode ids = Json.parseOrNull(raw);
        if (ids == null) {
            throw BotApiException.badRequest("can't parse message_ids JSON object");
        }
        if (!ids.isArray()) {
            throw BotApiException.badRequest("expected an Array of message identifiers");
        }
        if (ids.isEmpty()) {
            throw BotApiException.badRequest("message identifiers are not specified");
        }
        if (ids.size() > 100) {
            throw BotApiException.badRequest("too many message identifiers specified");
        }
        List<Integer> result = new ArrayList<>();
        int previous = 0;
        for (JsonNode id : ids) {
            if (!id.isNumber() && !(id.isTextual() && id.asText().matches("-?\\d+"))) {
                throw BotApiException.badRequest("message identifier must be a Number");
            }
            int value = id.asInt();
            if (value <= 0) {
                throw BotApiException.badRequest("invalid message identifier specified");
            }
            if (value <= previous) {
                throw BotApiException.badRequest("message identifiers must be in a strictly increasing order");
            }
            previous = value;
            result.add(value);
        }
        return result;
    }

    // ---- editing ----

    private StoredMessage messageToEdit(ApiCall call, BotChat[] chatOut) {
        if (call.has("inline_message_id")) {
            throw BotApiException.badRequest("MESSAGE_ID_INVALID");
        }
        if (!call.has("chat_id") || !call.has("message_id")) {
            throw BotApiException.badRequest("message identifier is not specified");
        }
        long chatId = state.resolveChatId(call.arg("chat_id"));
        BotChat chat = call.bot().existingChat(chatId);
        if (chat == null) {
            throw BotApiException.chatNotFound();
        }
        StoredMessage message = chat.message(call.intArg("message_id", 0));
        if (message == null) {
            throw BotApiException.badRequest("message to edit not found");
        }
        if (!message.sentByBot()) {
            throw BotApiException.badRequest("message can't be edited");
        }
        chatOut[0] = chat;
        return message;
    }

    private JsonNode editMessageText(ApiCall call) {
        BotChat[] chat = new BotChat[1];
        StoredMessage stored = messageToEdit(call, chat);
        if (!stored.hasText()) {
            throw BotApiException.badRequest("there is no text in the message to edit");
        }
        TextEntities.Parsed parsed = messageText(call);
        JsonNode markup = ReplyMarkup.parse(call, chat[0]);
        ObjectNode edited = stored.json().deepCopy();
        edited.put("text", parsed.text());
        edited.remove("entities");
        if (!parsed.entities().isEmpty()) {
            edited.set("entities", parsed.entities());
        }
        edited.remove("reply_markup");
        if (markup != null) {
            edited.set("reply_markup", markup);
        }
        return saveEdit(call.bot(), chat[0], stored, edited);
    }

    private JsonNode editMessageCaption(ApiCall call) {
        BotChat[] chat = new BotChat[1];
        StoredMessage stored = messageToEdit(call, chat);
        if (!hasMedia(stored) || stored.json().has("sticker") || stored.json().has("video_note")) {
            throw BotApiException.badRequest("there is no caption in the message to edit");
        }
        JsonNode markup = ReplyMarkup.parse(call, chat[0]);
        ObjectNode edited = stored.json().deepCopy();
        edited.remove("caption");
        edited.remove("caption_entities");
        putCaption(call, edited);
        if (call.has("show_caption_above_media")) {
            if (call.boolArg("show_caption_above_media")) {
                edited.put("show_caption_above_media", true);
            } else {
                edited.remove("show_caption_above_media");
            }
        }
        edited.remove("reply_markup");
        if (markup != null) {
            edited.set("reply_markup", markup);
        }
        return saveEdit(call.bot(), chat[0], stored, edited);
    }

    private JsonNode editMessageReplyMarkup(ApiCall call) {
        BotChat[] chat = new BotChat[1];
        StoredMessage stored = messageToEdit(call, chat);
        JsonNode markup = ReplyMarkup.parse(call, chat[0]);
        ObjectNode edited = stored.json().deepCopy();
        edited.remove("reply_markup");
        if (markup != null) {
            edited.set("reply_markup", markup);
        }
        return saveEdit(call.bot(), chat[0], stored, edited);
    }

    private JsonNode saveEdit(Bot bot, BotChat chat, StoredMessage stored, ObjectNode edited) {
        ObjectNode before = stored.json().deepCopy();
        before.remove("edit_date");
        ObjectNode after = edited.deepCopy();
        after.remove("edit_date");
        if (before.equals(after)) {
            throw BotApiException.badRequest("message is not modified: specified new message content and reply markup"
                    + " are exactly the same as a current content and reply markup of the message");
        }
        long now = state.clock().millis();
        edited.put("edit_date", now / 1000);
        StoredMessage replacement = new StoredMessage(stored.messageId(), true, stored.sentAtMillis(), edited);
        if (!chat.replace(replacement)) {
            throw BotApiException.badRequest("message to edit not found");
        }
        state.inbox().record(bot.id(), chat.chatId(), "edit", stored.messageId(), now, edited);
        return edited;
    }

    // ---- deleting ----

    private JsonNode deleteMessage(ApiCall call) {
        if (!call.has("chat_id")) {
            throw BotApiException.badRequest("chat identifier is not specified");
        }
        if (!call.has("message_id")) {
            throw BotApiException.badRequest("message identifier is not specified");
        }
        long chatId = state.resolveChatId(call.arg("chat_id"));
        BotChat chat = call.bot().existingChat(chatId);
        if (chat == null) {
            throw BotApiException.chatNotFound();
        }
        StoredMessage message = chat.message(call.intArg("message_id", 0));
        if (message == null) {
            throw BotApiException.badRequest("message to delete not found");
        }
        if (state.clock().millis() - message.sentAtMillis() > DELETE_WINDOW.toMillis()) {
            throw BotApiException.badRequest("message can't be deleted");
        }
        delete(call.bot(), chat, message);
        return BooleanNode.TRUE;
    }

    private JsonNode deleteMessages(ApiCall call) {
        List<Integer> ids = messageIds(call);
        long chatId = state.resolveChatId(call.arg("chat_id"));
        BotChat chat = call.bot().existingChat(chatId);
        if (chat == null) {
            throw BotApiException.chatNotFound();
        }
        long now = state.clock().millis();
        for (int id : ids) {
            StoredMessage message = chat.message(id);
            if (message != null && now - message.sentAtMillis() <= DELETE_WINDOW.toMillis()) {
                delete(call.bot(), chat, message);
            }
        }
        return BooleanNode.TRUE;
    }

    private void delete(Bot bot, BotChat chat, StoredMessage message) {
        if (chat.remove(message.messageId()) != null) {
            state.inbox().record(bot.id(), chat.chatId(), "delete", message.messageId(), state.clock().millis(),
                    Json.object());
        }
    }

    // ---- chat actions and reactions ----

    private JsonNode sendChatAction(ApiCall call) {
        String action = call.arg("action");
        if (action == null || !CHAT_ACTIONS.contains(action.toLowerCase())) {
            throw BotApiException.badRequest("wrong parameter action in request");
        }
        long chatId = state.resolveChatId(call.arg("chat_id"));
        BotChat chat = state.sendTarget(call.bot(), chatId);
        ObjectNode details = Json.object();
        details.put("action", action.toLowerCase());
        state.inbox().record(call.bot().id(), chat.chatId(), "chat_action", 0, state.clock().millis(), details);
        return BooleanNode.TRUE;
    }

    private JsonNode setMessageReaction(ApiCall call) {
        long chatId = state.resolveChatId(call.arg("chat_id"));
        BotChat chat = call.bot().existingChat(chatId);
        if (chat == null) {
            throw BotApiException.chatNotFound();
        }
        int messageId = call.intArg("message_id", 0);
        if (chat.message(messageId) == null) {
            throw BotApiException.badRequest("message to react not found");
        }
        ArrayNode reactions = Json.array();
        String raw = call.arg("reaction");
        if (raw != null) {
            JsonNode parsed = Json.parseOrNull(raw);
            if (parsed == null) {
                throw BotApiException.badRequest("can't parse reaction types JSON object");
            }
            if (!parsed.isArray()) {
                throw BotApiException.badRequest("expected an Array of ReactionType");
            }
            for (JsonNode reaction : parsed) {
                String type = reaction.path("type").asText();
                if (!type.equals("emoji") && !type.equals("custom_emoji") && !type.equals("paid")) {
                    throw BotApiException.badRequest("can't parse ReactionType: invalid reaction type specified");
                }
                reactions.add(reaction);
            }
            if (reactions.size() > 1) {
                throw BotApiException.badRequest("REACTIONS_TOO_MANY");
            }
        }
        ObjectNode details = Json.object();
        details.set("reaction", reactions);
        details.put("is_big", call.boolArg("is_big"));
        state.inbox().record(call.bot().id(), chat.chatId(), "reaction", messageId, state.clock().millis(), details);
        return BooleanNode.TRUE;
    }
}
