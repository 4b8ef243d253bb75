package dev.telescale.emulator.state;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One chat as one bot sees it: the message-id sequence, the stored messages (for edit, copy,
 * reply and delete), and for a private chat whether the user started or blocked the bot.
 *
 * <p>Concurrency: all methods synchronise on this object; a chat's operations are short and
 * chats are independent, so contention only arises between calls to the same chat. Message
 * storage is bounded (oldest evicted first) so a long benchmark cannot exhaust memory; an evicted
 * message behaves as a deleted one ("message to edit not found").
 *
 * <p>It also remembers the reply keyboard the bot last set, since the Message object does not
 * echo a ReplyKeyboardMarkup and a client shows it until the bot replaces or removes it.
 */
public final class BotChat {
    private final long chatId;
    private final ObjectNode chatJson;
    private final int maxStoredMessages;
    private int lastMessageId;
    private boolean started;
    private boolean blocked;
    private ObjectNode replyKeyboard;
    private final LinkedHashMap<Integer, StoredMessage> messages;

    BotChat(long chatId, ObjectNode chatJson, int maxStoredMessages) {
        this.chatId = chatId;
        this.chatJson = chatJson;
        this.maxStoredMessages = maxStoredMessages;
        this.messages = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, StoredMessage> eldest) {
                return size() > BotChat.this.maxStoredMessages;
            }
        };
    }

    public long chatId() {
        return chatId;
    }

    /** The Chat object, shared and never mutated. */
    public ObjectNode chatJson() {
        return chatJson;
    }

    public synchronized int nextMessageId() {
        return ++lastMessageId;
    }

    public synchronized void store(StoredMessage message) {
        messages.put(message.messageId(), message);
    }

    public synchronized StoredMessage message(int messageId) {
        return messages.get(messageId);
    }

    public synchronized StoredMessage remove(int messageId) {
        return messages.remove(messageId);
    }

    /** Replaces a stored message if it is still there (edits); returns false if it is gone. */
    public synchronized boolean replace(StoredMessage message) {
        if (!messages.containsKey(message.messageId())) {
            return false;
        }
        messages.put(message.messageId(), message);
        return true;
    }

    public synchronized List<StoredMessage> messages() {
        return new ArrayList<>(messages.values());
    }

    public synchronized boolean started() {
        return started;
    }

    public synchronized void markStarted() {
        started = true;
    }

    public synchronized boolean blocked() {
        return blocked;
    }

    /** Sets the blocked flag; returns the previous value. */
    public synchronized boolean setBlocked(boolean blocked) {
        boolean previous = this.blocked;
        this.blocked = blocked;
        return previous;
    }

    /** The reply keyboard the bot last set in this chat, or null when none (never set or removed). */
    public synchronized ObjectNode replyKeyboard() {
        return replyKeyboard;
    }

    /** Sets the reply keyboard shown in this chat (null removes it); the object must not change afterwards. */
    public synchronized void setReplyKeyboard(ObjectNode keyboard) {
        this.replyKeyboard = keyboard;
    }
}
