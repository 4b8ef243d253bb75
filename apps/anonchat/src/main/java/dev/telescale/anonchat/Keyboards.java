package dev.telescale.anonchat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reply keyboards for the three states a user is in (idle, searching, chatting) and the inline
 * keyboards of menus. Every notice that changes a user's state carries the keyboard of the new
 * state, computed from the database, so keyboards stay right after restarts and across instances.
 * Button presses arrive as plain text; {@link #commandFor} maps any language's label back to its
 * command. Immutable and thread-safe.
 */
final class Keyboards {
    enum State { IDLE, SEARCHING, CHATTING }

    static final List<String> LANGUAGES = List.of("en", "ru");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final List<String> BUTTON_COMMANDS = List.of("search", "next", "stop", "profile", "vip", "help", "invite");

    private final Session.TextSource texts;
    private final Map<String, String> labels = new HashMap<>();

    Keyboards(Session.TextSource texts) {
        this.texts = texts;
        for (String lang : LANGUAGES) {
            for (String command : BUTTON_COMMANDS) {
                labels.put(texts.text(lang, "button." + command), command);
            }
        }
    }

    /** The command a reply-keyboard label stands for, or null. */
    String commandFor(String text) {
        return text == null ? null : labels.get(text.trim());
    }

    JsonNode forState(String lang, State state) {
        return switch (state) {
            case IDLE -> reply(lang, List.of(List.of("search"), List.of("profile", "vip"), List.of("invite", "help")));
            case SEARCHING -> reply(lang, List.of(List.of("stop")));
            case CHATTING -> reply(lang, List.of(List.of("next", "stop")));
        };
    }

    private JsonNode reply(String lang, List<List<String>> rows) {
        ObjectNode markup = JSON.objectNode();
        ArrayNode keyboard = markup.putArray("keyboard");
        for (List<String> row : rows) {
            ArrayNode buttons = keyboard.addArray();
            for (String command : row) {
                buttons.addObject().put("text", texts.text(lang, "button." + command));
            }
        }
        markup.put("resize_keyboard", true);
        markup.put("is_persistent", true);
        return markup;
    }

    /** An inline keyboard: rows of (label, callback data) pairs. */
    static JsonNode inline(List<List<Button>> rows) {
        ObjectNode markup = JSON.objectNode();
        ArrayNode keyboard = markup.putArray("inline_keyboard");
        for (List<Button> row : rows) {
            ArrayNode buttons = keyboard.addArray();
            for (Button button : row) {
                buttons.addObject().put("text", button.label()).put("callback_data", button.data());
            }
        }
        return markup;
    }

    /** An inline button with callback data. */
    record Button(String label, String data) {
    }

    static Button button(String label, String data) {
        return new Button(label, data);
    }
}
