package dev.telescale.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.EmulatorConfig;
import dev.telescale.emulator.FloodLimits;
import dev.telescale.emulator.state.InboxEvent;
import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.config.ConfigLoader;
import dev.telescale.runtime.config.ConfigResult;
import dev.telescale.runtime.config.TelescaleConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Starts emulators and runtimes for tests; knows both backends. */
final class RuntimeHarness {
    static final String TOKEN_A = "700001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final String TOKEN_B = "700002:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final String POSTGRES = "postgresql://postgres@127.0.0.1:5432/test";
    static final String REDIS = "redis://127.0.0.1:6379";

    private RuntimeHarness() {
    }

    static Emulator emulator() {
        return Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.off()));
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Environment for a runtime hosting the recording application on the given tokens. */
    static Map<String, String> env(Emulator emulator, Path dataDir, String... tokens) {
        Map<String, String> env = new HashMap<>();
        StringBuilder bots = new StringBuilder();
        for (String token : tokens) {
            bots.append(bots.isEmpty() ? "" : ",").append(RecordingApplication.NAME).append(':').append(token);
        }
        env.put("BOT_TOKENS", bots.toString());
        env.put("TELEGRAM_API_URL", emulator.baseUrl());
        env.put("DATABASE_URL", "sqlite:" + dataDir.resolve("telescale.db"));
        env.put("HTTP_PORT", Integer.toString(freePort()));
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("SHUTDOWN_TIMEOUT", "5s");
        // The emulator's flood limits are off in these tests; the sender's own limits would only slow them.
        env.put("RATE_LIMIT_PER_CHAT", "100");
        env.put("RATE_LIMIT_PER_CHAT_BURST", "100");
        env.put("RATE_LIMIT_PER_BOT", "1000");
        return env;
    }

    /** Switches an environment to a fresh PostgreSQL schema and Redis key prefix. */
    static Map<String, String> onPostgresAndRedis(Map<String, String> env) {
        String schema = "rt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        } catch (Exception e) {
            throw new IllegalStateException("PostgreSQL at 127.0.0.1:5432 is needed for this test", e);
        }
        env.put("DATABASE_URL", POSTGRES + "?currentSchema=" + schema);
        env.put("REDIS_URL", REDIS);
        env.put("REDIS_KEY_PREFIX", "test:" + schema + ":");
        return env;
    }

    static Map<String, String> withWebhook(Map<String, String> env) {
        env.put("WEBHOOK_BASE_URL", "http://127.0.0.1:" + env.get("HTTP_PORT"));
        env.put("WEBHOOK_SECRET", "test-deployment-secret-0123456789");
        return env;
    }

    static TelescaleConfig config(Map<String, String> env) {
        return switch (ConfigLoader.load(env, Path.of("/nonexistent/.env"))) {
            case ConfigResult.Valid valid -> valid.config();
            case ConfigResult.Invalid invalid -> throw new IllegalArgumentException(String.join("\n", invalid.problems()));
        };
    }

    static TelescaleRuntime start(Map<String, String> env, BotApplication application) {
        return TelescaleRuntime.start(config(env), Map.of(application.name(), application), InstantSource.system());
    }

    /** Texts of the messages the bot sent into a private chat, in order. */
    static List<String> textsSentTo(Emulator emulator, long botId, long userId) {
        return emulator.sim().inbox(userId, botId, 0, 0).stream()
                .filter(event -> event.event().equals("message"))
                .map(InboxEvent::payload)
                .map(message -> message.path("text").asText(""))
                .toList();
    }

    static void assertInOrderOnce(List<String> texts, List<String> expected) {
        assertThat(texts).containsExactlyElementsOf(expected);
    }
}
