package dev.telescale.anonchat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Relays what a user sends in a conversation to the partner: messages of every kind, albums,
 * replies, edits, reactions and /delete.
 *
 * <p>Each relayed call is tagged {@code m:<conversation>:<bot>:<chat>:<message ids>}; when Telegram
 * accepts it, {@link AnonChatApplication#onDelivered} records which message the copy became in
 * the partner's chat (both directions, kept MESSAGE_MAP_TTL), and replies, edits, reactions and
 * deletions find the partner's copy through that map. A relay that fails for good comes back as a
 * {@code telescale_delivery_failed} update with the same tag, and the sender is told which message
 * did not arrive. Albums arrive as separate updates with one media_group_id: their parts are kept
 * in {@code ac_album_parts} and sent together (copyMessages within a bot, sendMediaGroup across
 * bots) when the user sends anything else or, at the latest, by the album task once the album has
 * been quiet for {@link #ALBUM_QUIET_MILLIS}.
 */
final class Relay {
    static final long ALBUM_QUIET_MILLIS = 1_200;
    private static final ObjectMapper JSON = Json.newMapper();
    private static final Pattern LINK = Pattern.compile("(?i)(https?://|www\\.|t\\.me/|telegram\\.me/|tg://)");
    private static final Pattern MENTION = Pattern.compile("(^|[^\\w])@[A-Za-z][A-Za-z0-9_]{3,}");

    private Relay() {
    }

    /** A message from a user in a conversation. */
    static void message(Session s, Store.Active active, JsonNode message) {
        long messageId = message.path("message_id").asLong();
        Optional<String> kind = Content.kind(message);
        if (kind.isEmpty()) {
            s.sayReplying(s.text("relay.unsupported"), messageId);
            return;
        }
        String refusal = refusal(s, message, kind.get());
        if (refusal != null) {
            s.sayReplying(refusal, messageId);
            return;
        }
        if (message.hasNonNull("media_group_id")) {
            s.store.addAlbumPart(s.botId, s.userId, message.get("media_group_id").asText(), messageId,
                    message.toString(), s.now);
            return;
        }
        flushAlbums(s, active);
        Content.Call call = callFor(s, active, message, kind.get());
        if (call == null) {
            s.sayReplying(s.text("relay.unsupported"), messageId);
            return;
        }
        replyMapping(s, active, message).ifPresent(replyTo ->
                call.params().putObject("reply_parameters").put("message_id", replyTo).put("allow_sending_without_reply", true));
        if (call.chatAction() != null && active.partnerBot() != s.botId) {
            ObjectNode action = JsonNodeFactory.instance.objectNode().put("action", call.chatAction());
            s.out.call(active.partnerBot(), active.partnerId(), "sendChatAction", action);
        }
        s.out.call(active.partnerBot(), active.partnerId(), call.method(), call.params(),
                tag(active.conversation(), s.botId, s.userId, List.of(messageId)));
        if (Content.isMedia(kind.get())) {
            Moderation.copyMedia(s, active, messageId);
        }
    }

    /** Why a message may not be relayed (a text for the sender), or null. */
    static String refusal(Session s, JsonNode message, String kind) {
        if (!s.store.countMessage(s.userId, s.now, s.settings.messagesPerMinute())) {
            return s.text("relay.too_fast");
        }
        if (kind.equals("contact") && !s.settings.contactsAllowed()) {
            return s.text("relay.no_contacts");
        }
        if (Content.isMedia(kind) && s.profile.onboardedAt() != null
                && s.now < s.profile.onboardedAt() + s.settings.newUserMediaDelay().toMillis()) {
            long minutes = Math.max(1, (s.profile.onboardedAt() + s.settings.newUserMediaDelay().toMillis() - s.now + 59_999) / 60_000);
            return s.text("relay.media_later", minutes);
        }
        return textRefusal(s, message);
    }

    private static String textRefusal(Session s, JsonNode message) {
        String text = message.path("text").asText(message.path("caption").asText(""));
        JsonNode entities = message.has("entities") ? message.get("entities") : message.path("caption_entities");
        boolean link = LINK.matcher(text).find();
        boolean mention = MENTION.matcher(text).find();
        for (JsonNode entity : entities) {
            switch (entity.path("type").asText()) {
                case "url", "text_link" -> link = true;
                case "mention", "text_mention" -> mention = true;
                default -> {
                }
            }
        }
        if (link && !s.settings.linksAllowed()) {
            return s.text("relay.no_links");
        }
        if (mention && !s.settings.mentionsAllowed()) {
            return s.text("relay.no_mentions");
        }
        return null;
    }

    /** copyMessage within one bot; a fresh send across bots (or when a copy would keep a user mention). */
    private static Content.Call callFor(Session s, Store.Active active, JsonNode message, String kind) {
        boolean userMention = false;
        for (JsonNode entity : message.has("entities") ? message.get("entities") : message.path("caption_entities")) {
            userMention |= entity.path("type").asText().equals("text_mention");
        }
        boolean sameBot = active.partnerBot() == s.botId;
        if (sameBot && !userMention && !kind.equals("contact")) {
            return Content.copy(s.userId, message.path("message_id").asLong());
        }
        return Content.resend(message, kind, s.botId).orElse(null);
    }

    private static Optional<Long> replyMapping(Session s, Store.Active active, JsonNode message) {
        JsonNode reply = message.path("reply_to_message").path("message_id");
        if (!reply.isNumber()) {
            return Optional.empty();
        }
        return s.store.peerOf(s.botId, s.userId, reply.asLong(), mapCutoff(s))
                .filter(peer -> peer.peerChat() == active.partnerId() && peer.peerBot() == active.partnerBot())
                .map(Store.MappedMessage::peerMessageId);
    }

    static long mapCutoff(Session s) {
        return s.now - s.settings.messageMapTtl().toMillis();
    }

    static String tag(long conversation, long botId, long chatId, List<Long> messageIds) {
        StringBuilder tag = new StringBuilder("m:").append(conversation).append(':').append(botId).append(':').append(chatId).append(':');
        for (int i = 0; i < messageIds.size(); i++) {
            tag.append(i == 0 ? "" : ",").append(messageIds.get(i));
        }
        return tag.toString();
    }

    /** A parsed relay tag. */
    record Tag(long conversation, long botId, long chatId, List<Long> messageIds) {
        static Optional<Tag> parse(String tag) {
            if (tag == null || !tag.startsWith("m:")) {
                return Optional.empty();
            }
            String[] parts = tag.split(":");
            if (parts.length != 5) {
                return Optional.empty();
            }
            try {
                List<Long> ids = new ArrayList<>();
                for (String id : parts[4].split(",")) {
                    ids.add(Long.parseLong(id));
                }
                return Optional.of(new Tag(Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]), ids));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    /** Sends the user's buffered album parts (if any) to the partner, as albums. */
    static void flushAlbums(Session s, Store.Active active) {
        List<Store.AlbumPart> parts = s.store.albumParts(s.botId, s.userId);
        if (parts.isEmpty()) {
            return;
        }
        s.store.deleteAlbumParts(s.botId, s.userId);
        String group = null;
        List<Store.AlbumPart> album = new ArrayList<>();
        for (Store.AlbumPart part : parts) {
            if (group != null && !group.equals(part.mediaGroupId())) {
                sendAlbum(s, active, album);
                album = new ArrayList<>();
            }
            group = part.mediaGroupId();
            album.add(part);
        }
        sendAlbum(s, active, album);
    }

    private static void sendAlbum(Session s, Store.Active active, List<Store.AlbumPart> album) {
        List<Long> ids = album.stream().map(Store.AlbumPart::messageId).sorted().toList();
        String tag = tag(active.conversation(), s.botId, s.userId, ids);
        if (active.partnerBot() == s.botId) {
            ObjectNode params = JsonNodeFactory.instance.objectNode();
            params.put("from_chat_id", s.userId);
            ArrayNode messageIds = params.putArray("message_ids");
            ids.forEach(messageIds::add);
            s.out.call(active.partnerBot(), active.partnerId(), "copyMessages", params, tag);
        } else {
            List<JsonNode> messages = new ArrayList<>();
            for (Store.AlbumPart part : album.stream().sorted((a, b) -> Long.compare(a.messageId(), b.messageId())).toList()) {
                try {
                    messages.add(JSON.readTree(part.payload()));
                } catch (IOException e) {
                    throw new IllegalStateException("album part " + part.messageId() + " is not JSON", e);
                }
            }
            s.out.call(active.partnerBot(), active.partnerId(), "sendChatAction",
                    JsonNodeFactory.instance.objectNode().put("action", "upload_photo"));
            s.out.call(active.partnerBot(), active.partnerId(), "sendMediaGroup", Content.mediaGroup(messages, s.botId), tag);
        }
        for (Store.AlbumPart part : album) {
            Moderation.copyMedia(s, active, part.messageId());
        }
    }

    /** An edited message: the partner's copy is edited the same way while the conversation lasts. */
    static void edited(Session s, JsonNode message) {
        Optional<Store.Active> active = s.active();
        long messageId = message.path("message_id").asLong();
        if (active.isEmpty()) {
            return;
        }
        Optional<Store.MappedMessage> peer = s.store.peerOf(s.botId, s.userId, messageId, mapCutoff(s))
                .filter(p -> p.conversation() == active.get().conversation());
        if (peer.isEmpty()) {
            return;
        }
        String refusal = textRefusal(s, message);
        if (refusal != null) {
            s.sayReplying(refusal, messageId);
            return;
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("message_id", peer.get().peerMessageId());
        if (message.has("text")) {
            params.put("text", message.get("text").asText());
            if (message.has("entities")) {
                params.set("entities", Content.safeEntities(message.get("entities")));
            }
            s.out.call(peer.get().peerBot(), peer.get().peerChat(), "editMessageText", params);
        } else if (message.has("caption") || Content.kind(message).map(Content::isMedia).orElse(false)) {
            params.put("caption", message.path("caption").asText(""));
            if (message.has("caption_entities")) {
                params.set("caption_entities", Content.safeEntities(message.get("caption_entities")));
            }
            s.out.call(peer.get().peerBot(), peer.get().peerChat(), "editMessageCaption", params);
        }
    }

    /** A reaction the user set on a message of the conversation: the same reaction on its counterpart. */
    static void reaction(Session s, JsonNode reaction) {
        Optional<Store.Active> active = s.active();
        if (active.isEmpty()) {
            return;
        }
        long messageId = reaction.path("message_id").asLong();
        s.store.peerOf(s.botId, s.userId, messageId, mapCutoff(s))
                .filter(p -> p.conversation() == active.get().conversation())
                .ifPresent(peer -> {
                    ObjectNode params = JsonNodeFactory.instance.objectNode();
                    params.put("message_id", peer.peerMessageId());
                    ArrayNode emojis = params.putArray("reaction");
                    for (JsonNode type : reaction.path("new_reaction")) {
                        if (type.path("type").asText().equals("emoji")) {
                            emojis.addObject().put("type", "emoji").put("emoji", type.path("emoji").asText());
                        }
                    }
                    s.out.call(peer.peerBot(), peer.peerChat(), "setMessageReaction", params);
                });
    }

    /** /delete as a reply to one's own message: the partner's copy and the original disappear. */
    static void delete(Session s, JsonNode message) {
        JsonNode reply = message.path("reply_to_message");
        long commandId = message.path("message_id").asLong();
        if (!reply.path("message_id").isNumber() || reply.path("from").path("id").asLong() != s.userId) {
            s.sayReplying(s.text("delete.how"), commandId);
            return;
        }
        long original = reply.path("message_id").asLong();
        Optional<Store.MappedMessage> peer = s.store.peerOf(s.botId, s.userId, original, mapCutoff(s));
        if (peer.isEmpty()) {
            s.sayReplying(s.text("delete.unknown"), commandId);
            return;
        }
        ObjectNode theirs = JsonNodeFactory.instance.objectNode().put("message_id", peer.get().peerMessageId());
        s.out.call(peer.get().peerBot(), peer.get().peerChat(), "deleteMessage", theirs);
        ObjectNode mine = JsonNodeFactory.instance.objectNode();
        mine.putArray("message_ids").add(original).add(commandId);
        s.out.call(s.botId, s.userId, "deleteMessages", mine);
    }
}
