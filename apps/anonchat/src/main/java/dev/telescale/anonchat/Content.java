package dev.telescale.anonchat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * Turns a user's message into the Bot API call that shows its content to someone else, without
 * anything that identifies the sender. Within one bot that is copyMessage (never forwardMessage,
 * which shows the sender); across bots it is a fresh send of the content, its files as
 * {@code telescale_file} placeholders the runtime transfers (getFile, download, upload, cached per
 * bot by file_unique_id). Fields are copied by allow-list: what is not named here (from,
 * forward_origin, via_bot, contact user ids, ...) never reaches the partner.
 */
final class Content {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Media kinds with one file, the send method, and the chat action shown while it uploads. */
    static final List<String[]> MEDIA = List.of(
            new String[]{"photo", "sendPhoto", "upload_photo"},
            new String[]{"video", "sendVideo", "upload_video"},
            new String[]{"animation", "sendAnimation", "upload_video"},
            new String[]{"voice", "sendVoice", "upload_voice"},
            new String[]{"video_note", "sendVideoNote", "upload_video_note"},
            new String[]{"audio", "sendAudio", "upload_document"},
            new String[]{"document", "sendDocument", "upload_document"},
            new String[]{"sticker", "sendSticker", "choose_sticker"});
    private static final List<String> OTHER_KINDS = List.of("text", "venue", "location", "contact", "dice");

    /** A call: method and parameters (chat_id is added by the outbox). */
    record Call(String method, ObjectNode params, String chatAction) {
    }

    private Content() {
    }

    /** The kind of a message ("text", "photo", ...), or empty when it is nothing we relay. */
    static Optional<String> kind(JsonNode message) {
        for (String[] media : MEDIA) {
            if (message.has(media[0])) {
                return Optional.of(media[0]);
            }
        }
        for (String kind : OTHER_KINDS) {
            if (message.has(kind)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    static boolean isMedia(String kind) {
        return MEDIA.stream().anyMatch(media -> media[0].equals(kind));
    }

    /** copyMessage of {@code messageId} from {@code fromChat} (same bot). */
    static Call copy(long fromChat, long messageId) {
        ObjectNode params = JSON.objectNode();
        params.put("from_chat_id", fromChat);
        params.put("message_id", messageId);
        return new Call("copyMessage", params, null);
    }

    /** A fresh send of the message's content through another bot; files stay with {@code ownerBot} until transferred. */
    static Optional<Call> resend(JsonNode message, String kind, long ownerBot) {
        ObjectNode params = JSON.objectNode();
        for (String[] media : MEDIA) {
            if (media[0].equals(kind)) {
                JsonNode file = message.get(kind);
                if (file.isArray()) {
                    file = file.get(file.size() - 1); // the largest photo size
                }
                params.set(kind, placeholder(file, ownerBot));
                copyCaption(message, params);
                copyFields(message.get(kind), params, "duration", "width", "height", "performer", "title");
                if (message.path("has_media_spoiler").asBoolean(false)) {
                    params.put("has_spoiler", true);
                }
                if (kind.equals("video_note")) {
                    JsonNode length = message.path("video_note").path("length");
                    if (length.isNumber()) {
                        params.put("length", length.asInt());
                    }
                    params.remove("width");
                    params.remove("height");
                }
                return Optional.of(new Call(media[1], params, media[2]));
            }
        }
        switch (kind) {
            case "text" -> {
                params.put("text", message.path("text").asText());
                if (message.has("entities")) {
                    params.set("entities", safeEntities(message.get("entities")));
                }
                return Optional.of(new Call("sendMessage", params, null));
            }
            case "location" -> {
                copyFields(message.get("location"), params, "latitude", "longitude", "horizontal_accuracy");
                return Optional.of(new Call("sendLocation", params, null));
            }
            case "venue" -> {
                JsonNode venue = message.get("venue");
                copyFields(venue.path("location"), params, "latitude", "longitude");
                copyFields(venue, params, "title", "address", "foursquare_id", "foursquare_type", "google_place_id",
                        "google_place_type");
                return Optional.of(new Call("sendVenue", params, null));
            }
            case "contact" -> {
                copyFields(message.get("contact"), params, "phone_number", "first_name", "last_name", "vcard");
                return Optional.of(new Call("sendContact", params, null));
            }
            case "dice" -> {
                // sendDice would roll again; the partner must see the value the sender got
                JsonNode dice = message.get("dice");
                params.put("text", dice.path("emoji").asText("🎲") + " " + dice.path("value").asInt());
                return Optional.of(new Call("sendMessage", params, null));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /** sendMediaGroup parameters for album parts through another bot, captions kept per item. */
    static ObjectNode mediaGroup(List<JsonNode> parts, long ownerBot) {
        ObjectNode params = JSON.objectNode();
        ArrayNode media = params.putArray("media");
        for (JsonNode part : parts) {
            String kind = kind(part).orElse("document");
            JsonNode file = part.get(kind);
            if (file == null) {
                continue;
            }
            if (file.isArray()) {
                file = file.get(file.size() - 1);
            }
            ObjectNode item = media.addObject();
            item.put("type", kind);
            item.set("media", placeholder(file, ownerBot));
            copyCaption(part, item);
            if (part.path("has_media_spoiler").asBoolean(false)) {
                item.put("has_spoiler", true);
            }
        }
        return params;
    }

    static ObjectNode placeholder(JsonNode file, long ownerBot) {
        ObjectNode value = JSON.objectNode();
        ObjectNode spec = value.putObject("telescale_file");
        spec.put("bot_id", ownerBot);
        spec.put("file_id", file.path("file_id").asText());
        spec.put("file_unique_id", file.path("file_unique_id").asText());
        if (file.hasNonNull("file_name")) {
            spec.put("file_name", file.get("file_name").asText());
        }
        if (file.hasNonNull("mime_type")) {
            spec.put("mime_type", file.get("mime_type").asText());
        }
        return value;
    }

    private static void copyCaption(JsonNode message, ObjectNode params) {
        if (message.hasNonNull("caption")) {
            params.put("caption", message.get("caption").asText());
            if (message.has("caption_entities")) {
                params.set("caption_entities", safeEntities(message.get("caption_entities")));
            }
        }
    }

    /** Entities without text_mention users (a mention by user object would carry a user id). */
    static ArrayNode safeEntities(JsonNode entities) {
        ArrayNode safe = JSON.arrayNode();
        for (JsonNode entity : entities) {
            if (entity.path("type").asText().equals("text_mention")) {
                continue;
            }
            safe.add(entity.deepCopy());
        }
        return safe;
    }

    private static void copyFields(JsonNode from, ObjectNode to, String... fields) {
        if (from == null) {
            return;
        }
        for (String field : fields) {
            if (from.hasNonNull(field)) {
                to.set(field, from.get(field).deepCopy());
            }
        }
    }
}
