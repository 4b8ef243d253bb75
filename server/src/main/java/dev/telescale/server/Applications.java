package dev.telescale.server;

import dev.telescale.airdrop.AirdropApplication;
import dev.telescale.airdrop.AirdropSettings;
import dev.telescale.anonchat.AnonChatApplication;
import dev.telescale.anonchat.AnonChatSettings;
import dev.telescale.echo.EchoApplication;
import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.config.ConfigLoader;
import dev.telescale.runtime.config.TelescaleConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** The applications this build of Telescale can run, by the name BOT_TOKENS uses. */
final class Applications {
    private Applications() {
    }

    /**
     * The applications, configured from the environment and ./.env; null after printing one line
     * per problem of an application's settings (ANONCHAT_*, AIRDROP_*).
     */
    static Map<String, BotApplication> available(TelescaleConfig config, Map<String, String> environment, PrintWriter err) {
        Map<String, String> variables = ConfigLoader.variables(environment, Path.of(".env"));
        AnonChatSettings anonChat = switch (AnonChatSettings.fromEnvironment(variables,
                new HashSet<>(config.admin().userIds()))) {
            case AnonChatSettings.Valid valid -> valid.settings();
            case AnonChatSettings.Invalid invalid -> {
                invalid.problems().forEach(problem -> err.println("telescale: " + problem));
                err.flush();
                yield null;
            }
        };
        AirdropSettings airdrop = switch (AirdropSettings.fromEnvironment(variables,
                new HashSet<>(config.admin().userIds()), config.http().port())) {
            case AirdropSettings.Valid valid -> valid.settings();
            case AirdropSettings.Invalid invalid -> {
                invalid.problems().forEach(problem -> err.println("telescale: " + problem));
                err.flush();
                yield null;
            }
        };
        if (anonChat == null || airdrop == null) {
            return null;
        }
        Map<String, BotApplication> applications = new LinkedHashMap<>();
        AnonChatApplication chat = new AnonChatApplication(anonChat);
        applications.put(chat.name(), chat);
        AirdropApplication drop = new AirdropApplication(airdrop);
        applications.put(drop.name(), drop);
        EchoApplication echo = new EchoApplication();
        applications.put(echo.name(), echo);
        return applications;
    }

    /** The applications with default settings (for migrations, which need only their schemas). */
    static Map<String, BotApplication> withDefaults() {
        Map<String, BotApplication> applications = new LinkedHashMap<>();
        AnonChatApplication chat = new AnonChatApplication(AnonChatSettings.defaults(java.util.Set.of()));
        applications.put(chat.name(), chat);
        AirdropApplication drop = new AirdropApplication(AirdropSettings.defaults(java.util.Set.of(), ""));
        applications.put(drop.name(), drop);
        EchoApplication echo = new EchoApplication();
        applications.put(echo.name(), echo);
        return applications;
    }
}
