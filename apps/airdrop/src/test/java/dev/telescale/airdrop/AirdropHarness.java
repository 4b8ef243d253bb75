package dev.telescale.airdrop;

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
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Jdbi;

/**
 * An emulator with two bots and one or more Telescale instances running the airdrop on both, on
 * SQLite or on PostgreSQL and Redis; users played through the emulator's simulation API, the Mini
 * App's API called over HTTP with initData signed as Telegram signs it.
 */
final class AirdropHarness implements AutoCloseable {
    static final String TOKEN_A = "720001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final String TOKEN_B = "720002:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final long BOT_A = 720001;
    static final long BOT_B = 720002;
    /** The first user the emulator creates; tests that need an admin create it first. */
    static final long ADMIN = 7_000_000_001L;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    enum Backend { SQLITE, POSTGRES_REDIS }

    final Emulator emulator;
    final Map<String, String> env;
    final AirdropSettings settings;
    final List<TelescaleRuntime> runtimes = new ArrayList<>();
    final Jdbi jdbi;

    AirdropHarness(Backend backend, Path dataDir, AirdropSettings settings) {
        this.emulator = Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.off()));
        emulator.sim().registerBot(TOKEN_A);
        emulator.sim().registerBot(TOKEN_B);
        this.settings = settings;
        env = new HashMap<>();
        env.put("BOT_TOKENS", "airdrop:" + TOKEN_A + ",airdrop:" + TOKEN_B);
        env.put("TELEGRAM_API_URL", emulator.baseUrl());
        env.put("DATABASE_URL", "sqlite:" + dataDir.resolve("telescale.db"));
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("SHUTDOWN_TIMEOUT", "5s");
        env.put("ADMIN_IDS", Long.toString(ADMIN));
        env.put("ADMIN_PASSWORD", "correct-horse-battery");
        env.put("RATE_LIMIT_PER_CHAT", "100");
        env.put("RATE_LIMIT_PER_CHAT_BURST", "100");
        env.put("RATE_LIMIT_PER_BOT", "1000");
        if (backend == Backend.POSTGRES_REDIS) {
            String schema = "ad_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE SCHEMA " + schema);
            } catch (Exception e) {
                throw new IllegalStateException("PostgreSQL at 127.0.0.1:5432 is needed for this test", e);
            }
            env.put("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test?currentSchema=" + schema);
            env.put("REDIS_URL", "redis://127.0.0.1:6379");
            env.put("REDIS_KEY_PREFIX", "test:" + schema + ":");
            jdbi = Jdbi.create("jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema, "postgres", "");
        } else {
            jdbi = Jdbi.create("jdbc:sqlite:" + dataDir.resolve("telescale.db"));
        }
    }

    /** Starts one more instance on the same database and shared state. */
    TelescaleRuntime startInstance() {
        return startInstance(freePort());
    }

    TelescaleRuntime startInstance(int httpPort) {
        Map<String, String> instanceEnv = new HashMap<>(env);
        instanceEnv.put("HTTP_PORT", Integer.toString(httpPort));
        instanceEnv.put("INSTANCE_ID", "test-" + runtimes.size());
        TelescaleConfig config = switch (ConfigLoader.load(instanceEnv, Path.of("/nonexistent/.env"))) {
            case ConfigResult.Valid valid -> valid.config();
            case ConfigResult.Invalid invalid -> throw new IllegalArgumentException(String.join("\n", invalid.problems()));
        };
        TelescaleRuntime runtime = TelescaleRuntime.start(config,
                Map.of(AirdropApplication.NAME, new AirdropApplication(settings)), InstantSource.system());
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

    /** A value from the database (a count, a column), as a long. */
    long queryLong(String sql, Object... arguments) {
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery(sql);
            for (int i = 0; i < arguments.length; i++) {
                query.bind(i, arguments[i]);
            }
            return query.mapTo(Long.class).one();
        });
    }

    String queryText(String sql, Object... arguments) {
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery(sql);
            for (int i = 0; i < arguments.length; i++) {
                query.bind(i, arguments[i]);
            }
            return query.mapTo(String.class).findOne().orElse(null);
        });
    }

    // ---- the Mini App, as a Telegram client opens it ----

    /** initData for a user of a bot, signed with {@code signingKey} over the fields (Telegram's algorithm). */
    static String initData(Map<String, String> fields, byte[] signingKey) {
        TreeMap<String, String> sorted = new TreeMap<>(fields);
        StringBuilder check = new StringBuilder();
        sorted.forEach((key, value) -> check.append(check.isEmpty() ? "" : "\n").append(key).append('=').append(value));
        String hash = HexFormat.of().formatHex(hmac(signingKey, check.toString().getBytes(StandardCharsets.UTF_8)));
        StringBuilder query = new StringBuilder();
        sorted.forEach((key, value) -> query.append(query.isEmpty() ? "" : "&").append(key).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return query.append("&hash=").append(hash).toString();
    }

    /** The key Telegram signs a Mini App's initData with: HMAC-SHA256(key "WebAppData", the bot token). */
    static byte[] webAppKey(String token) {
        return hmac("WebAppData".getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> fields(SimUser user, long authDateSeconds, String startParam) {
        Map<String, String> fields = new HashMap<>();
        fields.put("query_id", "AAH" + UUID.randomUUID().toString().replace("-", ""));
        fields.put("auth_date", Long.toString(authDateSeconds));
        fields.put("user", "{\"id\":" + user.id() + ",\"first_name\":\"" + user.firstName() + "\",\"language_code\":\"en\",\"allows_write_to_pm\":true}");
        if (startParam != null) {
            fields.put("start_param", startParam);
        }
        return fields;
    }

    String validInitData(User user) {
        return initData(fields(user.sim, System.currentTimeMillis() / 1000, null), webAppKey(user.bot == BOT_A ? TOKEN_A : TOKEN_B));
    }

    /** POSTs JSON to the Mini App API of instance {@code instance}; the answer's status and body. */
    Answer api(int instance, String method, String path, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtimes.get(instance).httpPort()
                + "/apps/airdrop/" + path)).timeout(Duration.ofSeconds(30));
        if (session != null) {
            request.header("Authorization", "Bearer " + session);
        }
        if (method.equals("POST")) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.GET();
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body().startsWith("{") ? JSON.readTree(response.body())
                    : JSON.createObjectNode().put("raw", response.body()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An admin API call (Authorization: Bearer <ADMIN_PASSWORD>) under /admin/apps/airdrop/. */
    Answer admin(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtimes.get(0).httpPort()
                + "/admin/apps/airdrop/" + path)).header("Authorization", "Bearer " + env.get("ADMIN_PASSWORD"));
        if (method.equals("POST")) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body().startsWith("{") ? JSON.readTree(response.body())
                    : JSON.createObjectNode().put("raw", response.body()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Answer(int status, JsonNode body) {
    }

    /** Signs in with initData and passes the captcha in the Mini App: the session. */
    String verifyInWebApp(int instance, User user, String fingerprint) {
        Answer session = api(instance, "POST", "api/session", null, JSON.createObjectNode().put("init_data", validInitData(user)).toString());
        if (session.status() != 200) {
            throw new AssertionError("session: " + session);
        }
        String token = session.body().path("session").asText();
        Answer captcha = api(instance, "POST", "api/captcha", token, "{}");
        if (captcha.status() != 200) {
            throw new AssertionError("captcha: " + captcha);
        }
        String answer = queryText("SELECT captcha_answer FROM ad_users WHERE user_id = ?", user.id());
        Answer verified = api(instance, "POST", "api/verify", token, JSON.createObjectNode().put("answer", answer)
                .put("fingerprint", fingerprint).toString());
        if (verified.status() != 200) {
            throw new AssertionError("verify: " + verified);
        }
        return token;
    }

    // ---- users ----

    final class User {
        final SimUser sim;
        final long bot;
        long seenSeq;

        User(SimUser sim, long bot) {
            this.sim = sim;
            this.bot = bot;
        }

        long id() {
            return sim.id();
        }

        void text(String text) {
            ObjectNode content = JSON.createObjectNode().put("text", text);
            emulator.sim().send(sim.id(), bot, 0, content);
        }

        void send(String json) {
            try {
                emulator.sim().send(sim.id(), bot, 0, JSON.readTree(json));
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }

        void start(String payload) {
            emulator.sim().start(sim.id(), bot, payload);
        }

        List<InboxEvent> inbox() {
            return emulator.sim().inbox(sim.id(), bot, 0, 0);
        }

        InboxEvent await(String what, Predicate<InboxEvent> matches) {
            InboxEvent[] found = new InboxEvent[1];
            try {
                org.awaitility.Awaitility.await().alias(what + " for user " + sim.id()).atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(20)).until(() -> {
                            for (InboxEvent event : emulator.sim().inbox(sim.id(), bot, 0, seenSeq)) {
                                if (matches.test(event)) {
                                    found[0] = event;
                                    return true;
                                }
                            }
                            return false;
                        });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                StringBuilder dump = new StringBuilder(e.getMessage()).append("\nInbox of user ").append(sim.id()).append(":\n");
                for (InboxEvent event : inbox()) {
                    dump.append("  ").append(event.seq()).append(' ').append(event.event()).append(' ')
                            .append(event.payload()).append('\n');
                }
                throw new AssertionError(dump.toString(), e);
            }
            seenSeq = found[0].seq();
            return found[0];
        }

        InboxEvent awaitText(String fragment) {
            return await("a message containing '" + fragment + "'", event -> event.event().equals("message")
                    && (event.payload().path("text").asText("") + event.payload().path("caption").asText("")).contains(fragment));
        }

        /** Presses the inline button with this callback data on the newest message (read or not) that has it. */
        void press(String data) {
            int[] messageId = new int[1];
            org.awaitility.Awaitility.await().alias("a button " + data + " for user " + sim.id()).atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20)).until(() -> {
                        List<InboxEvent> all = inbox();
                        for (int i = all.size() - 1; i >= 0; i--) {
                            if (all.get(i).event().equals("message") && buttonData(all.get(i).payload()).contains(data)) {
                                messageId[0] = all.get(i).messageId();
                                return true;
                            }
                        }
                        return false;
                    });
            emulator.sim().press(sim.id(), bot, 0, messageId[0], data, null);
        }

        /** Passes the in-chat captcha: asks for one and presses the right answer (read from the database). */
        void verifyInChat() {
            start("");
            press("cap:new");
            awaitText("Human check");
            String answer = queryText("SELECT captcha_answer FROM ad_users WHERE user_id = ?", id());
            press("cap:" + answer);
            awaitText("You are verified");
        }

        String referralCode() {
            return queryText("SELECT referral_code FROM ad_users WHERE user_id = ?", id());
        }

        long no() {
            return queryLong("SELECT no FROM ad_users WHERE user_id = ?", id());
        }

        long points() {
            return queryLong("SELECT points FROM ad_users WHERE user_id = ?", id());
        }
    }

    static List<String> buttonData(JsonNode message) {
        List<String> data = new ArrayList<>();
        for (JsonNode row : message.path("reply_markup").path("inline_keyboard")) {
            for (JsonNode button : row) {
                data.add(button.path("callback_data").asText());
            }
        }
        return data;
    }

    User newUser(String firstName, long bot) {
        return new User(emulator.sim().createUser(firstName, "Last", firstName.toLowerCase() + "_" + UUID.randomUUID().toString().substring(0, 6),
                "en", false), bot);
    }
}
