package dev.telescale.emulator.state;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A message as the emulator keeps it: the Message object exactly as returned to the bot, and
 * who sent it. The JSON tree is never mutated after it is stored (edits store a new copy), so
 * readers on other threads may serialise it without locking.
 */
public record StoredMessage(int messageId, boolean sentByBot, long sentAtMillis, ObjectNode json) {
    public boolean hasText() {
        return json.has("text");
    }

    /** The kind of content: text, photo, video, ... or "service". */
    public String kind() {
        for (String kind : MessageKinds.CONTENT_KINDS) {
            if (json.has(kind)) {
                return kind;
            }
        }
        return "service";
    }
}
