package dev.telescale.emulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.flood.FloodControl;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.BotChat;
import dev.telescale.emulator.state.EmulatorState;
import dev.telescale.emulator.state.StoredMessage;
import java.util.Set;

/**
 * The shared path of every message a bot sends: resolve and check the target chat (the real
 * 400/403 refusals), obey flood control, number the message, attach the reply, store it and
 * show it in the chat's inbox. Method handlers only build the content. Thread-safe.
 */
public final class Conversations {
    /** Sending methods (lower case) that have no reply_markup parameter. */
    private static final Set<String> WITHOUT_REPLY_MARKUP = Set.of("sendmediagroup", "forwardmessage",
            "forwardmessages", "copymessages");

    private final EmulatorState state;
    private final FloodControl flood;

    public Conversations(EmulatorState state, FloodControl flood) {
        this.state = state;
        this.flood = flood;
    }

    public EmulatorState state() {
        return state;
    }

    /** The chat of the call's chat_id, checked for sending, with one message's worth of flood budget taken. */
    public BotChat sendTarget(ApiCall call, int messages) {
        long chatId = state.resolveChatId(call.arg("chat_id"));
        BotChat chat = state.sendTarget(call.bot(), chatId);
        flood.acquire(call.bot().id(), chatId, chatId < 0, messages);
        return chat;
    }

    /** A new Message object from the bot into the chat, with message_id, from, chat and date. */
    public ObjectNode newBotMessage(Bot bot, BotChat chat) {
        ObjectNode message = Json.object();
        message.put("message_id", chat.nextMessageId());
        message.set("from", bot.userJson());
        message.set("chat", chat.chatJson());
        message.put("date", state.clock().millis() / 1000);
        return message;
    }

    /**
     * Applies reply_parameters / reply_to_message_id: the replied message must exist in the chat
     * unless allow_sending_without_reply is set.
     */
    public void attachReply(ApiCall call, BotChat chat, ObjectNode message) {
        int replyTo = 0;
        boolean allowWithout = call.boolArg("allow_sending_without_reply");
        String rawParameters = call.arg("reply_parameters");
        if (rawParameters != null) {
            JsonNode parameters = Json.parseOrNull(rawParameters);
            if (parameters == null) {
                throw BotApiException.badRequest("can't parse reply parameters JSON object");
            }
            if (!parameters.isObject()) {
                throw BotApiException.badRequest("object expected as reply parameters");
            }
            replyTo = parameters.path("message_id").asInt(0);
            allowWithout = allowWithout || parameters.path("allow_sending_without_reply").asBoolean(false);
            if (parameters.has("chat_id") && state.resolveChatId(parameters.get("chat_id").asText()) != chat.chatId()) {
                throw BotApiException.badRequest("message to be replied not found");
            }
        } else if (call.has("reply_to_message_id")) {
            replyTo = call.intArg("reply_to_message_id", 0);
        }
        if (replyTo <= 0) {
            return;
        }
        StoredMessage replied = chat.message(replyTo);
        if (replied == null) {
            if (allowWithout) {
                return;
            }
            throw BotApiException.badRequest("message to be replied not found");
        }
        message.set("reply_to_message", withoutReply(replied.json()));
    }

    /** A replied-to message as embedded in another: its own reply_to_message is dropped. */
    public static ObjectNode withoutReply(ObjectNode message) {
        ObjectNode copy = message.deepCopy();
        copy.remove("reply_to_message");
        return copy;
    }

    /** Common send options echoed by the Message object. */
    public static void applyCommonOptions(ApiCall call, ObjectNode message, JsonNode inlineMarkup) {
        if (call.boolArg("protect_content")) {
            message.put("has_protected_content", true);
        }
        if (call.has("message_effect_id") && message.path("chat").path("type").asText().equals("private")) {
            message.put("effect_id", call.arg("message_effect_id"));
        }
        if (inlineMarkup != null) {
            message.set("reply_markup", inlineMarkup);
        }
    }

    /**
     * Delivers a message a Bot API call sends: first remembers the reply keyboard the call's
     * reply_markup sets or removes (so it is in place when the message shows), then
     * {@link #deliver(Bot, BotChat, ObjectNode)}. Every sending method ends here; the methods
     * without a reply_markup parameter (sendMediaGroup, forwardMessage(s), copyMessages) leave the
     * keyboard as it is, as Telegram ignores arguments a method does not have.
     */
    public StoredMessage deliver(ApiCall call, BotChat chat, ObjectNode message) {
        if (!WITHOUT_REPLY_MARKUP.contains(call.method())) {
            ReplyMarkup.applyReplyKeyboard(call, chat);
        }
        return deliver(call.bot(), chat, message);
    }

    /** Stores the bot's message and shows it in the chat's inbox; returns the stored message. */
    public StoredMessage deliver(Bot bot, BotChat chat, ObjectNode message) {
        return deliver(bot, chat, message, true);
    }

    /**
     * Stores a message the bot caused and shows it in the chat's inbox; {@code sentByBot} is false
     * for one the bot sent on the user's behalf (answerWebAppQuery: from the user, via the bot),
     * which the bot cannot edit or delete as its own.
     */
    public StoredMessage deliver(Bot bot, BotChat chat, ObjectNode message, boolean sentByBot) {
        long now = state.clock().millis();
        StoredMessage stored = new StoredMessage(message.get("message_id").asInt(), sentByBot, now, message);
        chat.store(stored);
        state.inbox().record(bot.id(), chat.chatId(), "message", stored.messageId(), now, message);
        return stored;
    }
}
