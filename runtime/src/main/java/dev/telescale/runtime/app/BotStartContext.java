package dev.telescale.runtime.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** What an application may do for one of its bots at start: Bot API calls whose results it does not need. */
public interface BotStartContext {
    long botId();

    /**
     * Calls a Bot API method now (setMyCommands, getMe, ...): its result, or empty when it failed
     * (failures are logged, not thrown).
     */
    Optional<JsonNode> callNow(String method, ObjectNode params);
}
