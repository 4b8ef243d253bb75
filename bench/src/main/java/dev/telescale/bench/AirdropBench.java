package dev.telescale.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.state.Trace;
import dev.telescale.runtime.storage.Database;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Handle;

/** What the airdrop scenarios share: waiting for the bot's replies, the Mini App's API, the bot's metrics and database. */
final class AirdropBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CACHE_LINE = Pattern.compile(
            "^telescale_cache_requests_total\\{([^}]*)\\}\\s+([0-9.eE+-]+)$", Pattern.MULTILINE);

    private AirdropBench() {
    }

    /**
     * Completes a waiter when the bot's next successful sendMessage into a user's chat is traced;
     * one waiter per chat at a time (a simulated user waits for one reply at a time). Messages no
     * one waits for (an inviter told of a credit, the "verified" message after the Mini App's
     * verification) are counted, not matched.
     */
    static final class Replies implements Trace.Listener {
        private final long botId;
        private final Map<Long, CompletableFuture<long[]>> waiting = new ConcurrentHashMap<>();
        final LongAdder unawaited = new LongAdder();
        final LongAdder failedCalls = new LongAdder();

        Replies(long botId) {
            this.botId = botId;
        }

        /** Registers the wait before the action; the future completes with the reply's trace time (µs) and message id. */
        CompletableFuture<long[]> expect(long chatId) {
            CompletableFuture<long[]> future = new CompletableFuture<>();
            waiting.put(chatId, future);
            return future;
        }

        void cancel(long chatId) {
            waiting.remove(chatId);
        }

        @Override
        public void onEvent(Trace.Event event) {
            if (event.botId() != botId || !event.kind().equals("call")) {
                return;
            }
            if (event.status() != 200) {
                failedCalls.increment();
                return;
            }
            if (!"sendmessage".equals(event.method())) {
                return;
            }
            CompletableFuture<long[]> future = waiting.remove(event.chatId());
            if (future == null) {
                unawaited.increment();
            } else {
                future.complete(new long[] {event.atMicros(), event.messageId()});
            }
        }
    }

    /** Waits for a reply: [its trace time (µs), its message id], or null after the timeout. */
    static long[] await(CompletableFuture<long[]> reply, Duration timeout) throws InterruptedException {
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            return null;
        }
    }

    /** Telegram's Mini App initData for a user, signed with the bot's token as Telegram signs it. */
    static String initData(String botToken, long userId, String firstName, String startParam, long authDateSeconds,
                           String queryId) {
        TreeMap<String, String> fields = new TreeMap<>();
        fields.put("auth_date", Long.toString(authDateSeconds));
        fields.put("query_id", queryId);
        fields.put("user", "{\"id\":" + userId + ",\"first_name\":\"" + firstName + "\",\"language_code\":\"en\"}");
        if (startParam != null) {
            fields.put("start_param", startParam);
        }
        StringBuilder check = new StringBuilder();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            if (!check.isEmpty()) {
                check.append('\n');
            }
            check.append(field.getKey()).append('=').append(field.getValue());
        }
        byte[] secret = hmac("WebAppData".getBytes(StandardCharsets.US_ASCII), botToken.getBytes(StandardCharsets.UTF_8));
        String hash = HexFormat.of().formatHex(hmac(secret, check.toString().getBytes(StandardCharsets.UTF_8)));
        StringBuilder query = new StringBuilder();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            query.append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8)).append('&');
        }
        return query.append("hash=").append(hash).toString();
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One answer of the Mini App's API and how long it took (µs). */
    record Answer(int status, JsonNode body, long micros) {
        boolean ok() {
            return status == 200 && body.path("ok").asBoolean(false);
        }
    }

    /** The Mini App's JSON API on the bot's HTTP port, each user behind a client address of their own. */
    static final class MiniApi {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final String base;

        MiniApi(int port) {
            this.base = "http://127.0.0.1:" + port + "/apps/airdrop/api/";
        }

        Answer post(String path, ObjectNode body, String session, String clientAddress) throws InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").header("X-Forwarded-For", clientAddress)
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
            return send(request, session);
        }

        Answer get(String path, String session, String clientAddress) throws InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .header("X-Forwarded-For", clientAddress).GET(), session);
        }

        private Answer send(HttpRequest.Builder request, String session) throws InterruptedException {
            if (session != null) {
                request.header("Authorization", "Bearer " + session);
            }
            long started = System.nanoTime();
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                long micros = (System.nanoTime() - started) / 1_000;
                JsonNode body;
                try {
                    body = JSON.readTree(response.body());
                } catch (IOException e) {
                    body = JSON.createObjectNode().put("error", response.body());
                }
                return new Answer(response.statusCode(), body == null ? JSON.createObjectNode() : body, micros);
            } catch (IOException e) {
                return new Answer(0, JSON.createObjectNode().put("error", e.toString()), (System.nanoTime() - started) / 1_000);
            }
        }

        static ObjectNode object() {
            return JSON.createObjectNode();
        }
    }

    /** The user cache's lookups by tier from the bot's /metrics: {tier: [hits, all]}. */
    static Map<String, long[]> cacheLookups(int port) {
        Map<String, long[]> tiers = new TreeMap<>();
        try (HttpClient http = HttpClient.newHttpClient()) {
            String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher line = CACHE_LINE.matcher(text);
            while (line.find()) {
                String labels = line.group(1);
                String tier = label(labels, "tier");
                long count = (long) Double.parseDouble(line.group(2));
                long[] hitsAndAll = tiers.computeIfAbsent(tier, t -> new long[2]);
                if ("hit".equals(label(labels, "result"))) {
                    hitsAndAll[0] += count;
                }
                hitsAndAll[1] += count;
            }
        } catch (IOException e) {
            // no figures; reported as unknown
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return tiers;
    }

    /** The user cache's hit rate over the run: lookups answered by L1 or L2, of all lookups (those that reached L1). */
    static double cacheHitRate(Map<String, long[]> before, Map<String, long[]> after) {
        long l1Hits = delta(before, after, "l1", 0);
        long l1All = delta(before, after, "l1", 1);
        long l2Hits = delta(before, after, "l2", 0);
        return l1All == 0 ? Double.NaN : (l1Hits + l2Hits) / (double) l1All;
    }

    static double tierHitRate(Map<String, long[]> before, Map<String, long[]> after, String tier) {
        long all = delta(before, after, tier, 1);
        return all == 0 ? Double.NaN : delta(before, after, tier, 0) / (double) all;
    }

    static long delta(Map<String, long[]> before, Map<String, long[]> after, String tier, int index) {
        return after.getOrDefault(tier, new long[2])[index] - before.getOrDefault(tier, new long[2])[index];
    }

    private static String label(String labels, String name) {
        Matcher value = Pattern.compile(name + "=\"([^\"]*)\"").matcher(labels);
        return value.find() ? value.group(1) : "";
    }

    static long count(Database database, String sql, Object... arguments) {
        try (Handle handle = database.jdbi().open()) {
            var query = handle.createQuery(sql);
            for (int i = 0; i < arguments.length; i++) {
                query.bind(i, arguments[i]);
            }
            return query.mapTo(Long.class).one();
        }
    }

    /** Users whose cached balance differs from the sum of their ledger rows (one GROUP BY over the ledger). */
    static long balanceMismatches(Database database) {
        return count(database, """
                SELECT count(*) FROM ad_users u LEFT JOIN (SELECT user_no, SUM(amount) AS total FROM ad_ledger GROUP BY user_no) l
                ON l.user_no = u.no WHERE u.points <> COALESCE(l.total, 0)""");
    }

    /** Verified users without their 'verify' ledger row. */
    static long verifiedWithoutCredit(Database database) {
        return count(database, """
                SELECT count(*) FROM ad_users u WHERE u.status = 'verified'
                AND NOT EXISTS (SELECT 1 FROM ad_ledger l WHERE l.user_no = u.no AND l.kind = 'verify')""");
    }

    static String percent(double rate) {
        return Double.isNaN(rate) ? "unknown" : String.format(java.util.Locale.ROOT, "%.1f %%", rate * 100);
    }
}
