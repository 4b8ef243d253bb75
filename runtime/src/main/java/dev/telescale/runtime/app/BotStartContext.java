package dev.telescale.runtime.app;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What an application may do for one of its bots at start: Bot API calls whose results it does not need. */
public interface BotStartContext {
    long botId();

    /** Calls a Bot API method now (setMyCommands, ...); failures are logged, not thrown. */
    void callNow(String method, ObjectNode params);
}
