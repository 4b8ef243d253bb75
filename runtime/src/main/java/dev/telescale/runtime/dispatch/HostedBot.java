package dev.telescale.runtime.dispatch;

import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.bot.BotToken;

/** A bot this deployment runs, and the application that handles its updates. */
public record HostedBot(BotToken token, BotApplication application) {
    public long botId() {
        return token.botId();
    }
}
