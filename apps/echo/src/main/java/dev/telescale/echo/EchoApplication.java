package dev.telescale.echo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.app.Update;
import dev.telescale.runtime.app.UpdateContext;

/**
 * Answers every message in a private chat with a copy of it (any kind: copyMessage keeps the
 * content), and /start with a greeting. No state, no logic: the runtime's own cost, measured.
 * Stateless and thread-safe.
 */
public final class EchoApplication implements BotApplication {
    public static final String NAME = "echo";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void handle(UpdateContext context) {
        Update update = context.update();
        if (!update.isMessage() || !update.isPrivateChat()) {
            return;
        }
        long chatId = update.chatId();
        if ("start".equals(update.command())) {
            context.send().sendMessage(chatId, "Hello! Send me anything and I will send it back.");
            return;
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("from_chat_id", chatId);
        params.put("message_id", update.message().path("message_id").asLong());
        context.send().call(chatId, "copyMessage", params);
    }
}
