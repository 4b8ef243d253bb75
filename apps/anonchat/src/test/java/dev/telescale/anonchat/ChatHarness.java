package dev.telescale.anonchat;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.EmulatorConfig;
import dev.telescale.emulator.FloodLimits;
import dev.telescale.emulator.state.InboxEvent;
import dev.telescale.emulator.state.SimUser;
import dev.telescale.runtime.TelescaleRuntime;
import dev.telescale.runtime.config.ConfigLoader;
import dev.telescale.runtime.config.ConfigResult;
import dev.telescale.runtime.config.TelescaleConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * An emulator with two bots and one or more Telescale instances running the anonymous chat on
 * both, on SQLite or on PostgreSQL and Redis, plus helpers that play users through the emulator's
 * simulation API and wait for what the bots answer.
 */
final class ChatHarness implements AutoCloseable {
    static final String TOKEN_A = "710001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final String TOKEN_B = "710002:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final long BOT_A = 710001;
    static final long BOT_B = 710002;
    /** The first user the emulator creates (ids are handed out in order); tests that need an admin create it first. */
    static final long ADMIN = 7_000_000_001L;
    static final ObjectMapper JSON = new ObjectMapper();

    enum Backend { SQLITE, POSTGRES_REDIS }

    final Emulator emulator;
    final Map<String, String> env;
    AnonChatSettings settings;
    final java.util.List<TelescaleRuntime> runtimes = new java.util.ArrayList<>();

    ChatHarness(Backend backend, Path dataDir, AnonChatSettings settings) {
        this.emulator = Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.off()));
        emulator.sim().registerBot(TOKEN_A);
        emulator.sim().registerBot(TOKEN_B);
        this.settings = settings;
        env = new HashMap<>();
        env.put("BOT_TOKENS", "anonchat:" + TOKEN_A + ",anonchat:" + TOKEN_B);
        env.put("TELEGRAM_API_URL", emulator.baseUrl());
        env.put("DATABASE_URL", "sqlite:" + dataDir.resolve("telescale.db"));
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("SHUTDOWN_TIMEOUT", "5s");
        env.put("ADMIN_IDS", Long.toString(ADMIN));
        env.put("RATE_LIMIT_PER_CHAT", "100");
        env.put("RATE_LIMIT_PER_CHAT_BURST", "100");
        env.put("RATE_LIMIT_PER_BOT", "1000");
        if (backend == Backend.POSTGRES_REDIS) {
            String schema = "ac_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE SCHEMA " + schema);
            } catch (Exception e) {
                throw new IllegalStateException("PostgreSQL at 127.0.0.1:5432 is needed for this test", e);
            }
            env.put("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test?currentSchema=" + schema);
            env.put("REDIS_URL", "redis://127.0.0.1:6379");
            env.put("REDIS_KEY_PREFIX", "test:" + schema + ":");
        }
    }

    /** Starts one more instance on the same database and shared state. */
    TelescaleRuntime startInstance() {
        Map<String, String> instanceEnv = new HashMap<>(env);
        instanceEnv.put("HTTP_PORT", Integer.toString(freePort()));
        instanceEnv.put("INSTANCE_ID", "test-" + runtimes.size());
        TelescaleConfig config = switch (ConfigLoader.load(instanceEnv, Path.of("/nonexistent/.env"))) {
            case ConfigResult.Valid valid -> valid.config();
            case ConfigResult.Invalid invalid -> throw new IllegalArgumentException(String.join("\n", invalid.problems()));
        };
        TelescaleRuntime runtime = TelescaleRuntime.start(config,
                Map.of(AnonChatApplication.NAME, new AnonChatApplication(settings)), InstantSource.system());
        runtimes.add(runtime);
        return runtime;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        runtimes.forEach(TelescaleRuntime::close);
        emulator.close();
    }

    // ---- users ----

    /** A simulated user talking to one bot; remembers how far they have read. */
    final class User {
        final SimUser sim;
        final long bot;
        final String lang;
        long seenSeq;

        User(SimUser sim, long bot, String lang) {
            this.sim = sim;
            this.bot = bot;
            this.lang = lang;
        }

        long id() {
            return sim.id();
        }

        dev.telescale.emulator.sim.SimResult send(String json) {
            try {
                return emulator.sim().send(sim.id(), bot, 0, JSON.readTree(json));
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }

        dev.telescale.emulator.sim.SimResult text(String text) {
            ObjectNode content = JSON.createObjectNode().put("text", text);
            return emulator.sim().send(sim.id(), bot, 0, content);
        }

        /** All events since the start. */
        List<InboxEvent> inbox() {
            return emulator.sim().inbox(sim.id(), bot, 0, 0);
        }

        /** Waits for a new event (after the last one awaited) that matches, and returns it. */
        InboxEvent await(String what, Predicate<InboxEvent> matches) {
            InboxEvent[] found = new InboxEvent[1];
            try {
                awaitEvent(what, matches, found);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                StringBuilder dump = new StringBuilder(e.getMessage()).append("\nInbox of user ").append(sim.id()).append(":\n");
                for (InboxEvent event : emulator.sim().inbox(sim.id(), bot, 0, 0)) {
                    dump.append("  ").append(event.seq()).append(' ').append(event.event()).append(' ')
                            .append(event.messageId()).append(' ').append(event.payload()).append('\n');
                }
                throw new AssertionError(dump.toString(), e);
            }
            seenSeq = found[0].seq();
            return found[0];
        }

        private void awaitEvent(String what, Predicate<InboxEvent> matches, InboxEvent[] found) {
            org.awaitility.Awaitility.await().alias(what + " for user " + sim.id()).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        for (InboxEvent event : emulator.sim().inbox(sim.id(), bot, 0, seenSeq)) {
                            if (matches.test(event)) {
                                found[0] = event;
                                return true;
                            }
                        }
                        return false;
                    });
        }

        /** Waits for a message whose text (or caption) contains {@code fragment}. */
        InboxEvent awaitText(String fragment) {
            return await("a message containing '" + fragment + "'", event -> event.event().equals("message")
                    && (event.payload().path("text").asText("") + event.payload().path("caption").asText("")).contains(fragment));
        }

        InboxEvent awaitMessage(String what, Predicate<JsonNode> matches) {
            return await(what, event -> event.event().equals("message") && matches.test(event.payload()));
        }

        /** Presses the inline button with this callback data on the newest message that has it. */
        void press(String data) {
            InboxEvent withButton = await("a button " + data, event -> event.event().equals("message")
                    && buttonData(event.payload()).contains(data));
            emulator.sim().press(sim.id(), bot, 0, withButton.messageId(), data, null);
        }

        Optional<InboxEvent> lastMessage() {
            List<InboxEvent> all = inbox();
            for (int i = all.size() - 1; i >= 0; i--) {
                if (all.get(i).event().equals("message")) {
                    return Optional.of(all.get(i));
                }
            }
            return Optional.empty();
        }
    }

    static List<String> buttonData(JsonNode message) {
        List<String> data = new java.util.ArrayList<>();
        for (JsonNode row : message.path("reply_markup").path("inline_keyboard")) {
            for (JsonNode button : row) {
                data.add(button.path("callback_data").asText());
            }
        }
        return data;
    }

    /** A new user who starts the bot and finishes onboarding. */
    User onboarded(String firstName, String username, String lang, long bot, String gender, int age) {
        return onboard(newUser(firstName, username, lang, bot), gender, age, "");
    }

    User newUser(String firstName, String username, String lang, long bot) {
        return new User(emulator.sim().createUser(firstName, "Lastname" + firstName, username, lang, false), bot, lang);
    }

    User onboard(User user, String gender, int age, String startPayload) {
        emulator.sim().start(user.id(), user.bot, startPayload);
        user.press("g:" + gender);
        user.awaitText(user.lang.equals("ru") ? "лет" : "How old");
        user.text(Integer.toString(age));
        user.awaitText(user.lang.equals("ru") ? "Всё готово" : "All set");
        return user;
    }

    /** Two onboarded users, one per bot, in a conversation with each other. */
    User[] pair(String nameA, String nameB) {
        User a = onboarded(nameA, nameA.toLowerCase() + "_handle", "en", BOT_A, "m", 30);
        User b = onboarded(nameB, nameB.toLowerCase() + "_handle", "en", BOT_B, "f", 28);
        a.text("/search");
        b.text("/search");
        a.awaitText("Partner found");
        b.awaitText("Partner found");
        return new User[]{a, b};
    }
}
