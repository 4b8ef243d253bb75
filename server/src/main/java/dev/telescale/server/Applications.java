package dev.telescale.server;

import dev.telescale.echo.EchoApplication;
import dev.telescale.runtime.app.BotApplication;
import java.util.LinkedHashMap;
import java.util.Map;

/** The applications this build of Telescale can run, by the name BOT_TOKENS uses. */
final class Applications {
    private Applications() {
    }

    static Map<String, BotApplication> available() {
        Map<String, BotApplication> applications = new LinkedHashMap<>();
        EchoApplication echo = new EchoApplication();
        applications.put(echo.name(), echo);
        return applications;
    }
}
