package dev.telescale.emulator.state;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Something a bot did in a chat, as the simulated user on the other side would see it:
 * a new message, an edit, a deletion, a reaction, a chat action or an answered callback.
 *
 * @param seq       global order of all inbox events
 * @param event     "message", "edit", "delete", "reaction", "chat_action" or "callback_answer"
 * @param messageId the message concerned (0 when none)
 * @param atMillis  when the bot's call was served, epoch milliseconds of the emulator's clock
 * @param payload   the Message object for message and edit; details for the other events
 */
public record InboxEvent(long seq, String event, int messageId, long atMillis, ObjectNode payload) {
}
