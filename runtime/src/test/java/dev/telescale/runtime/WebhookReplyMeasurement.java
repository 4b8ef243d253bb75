package dev.telescale.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.EmulatorConfig;
import dev.telescale.emulator.FloodLimits;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.InboxEvent;
import dev.telescale.emulator.state.SimUser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 3: "Measure whether answering a webhook with a method call saves time where no result is
 * needed." Not a test (surefire never runs it); run it by hand, see docs/benchmarks.md, section
 * "Webhook reply versus a separate call".
 *
 * <p>An in-process emulator (flood control off) delivers messages of 20 simulated users, sent at a
 * fixed open-loop rate, to a minimal webhook receiver (com.sun.net.httpserver) that echoes every
 * message either (a) "separate": answers 200 with an empty body, then calls sendMessage through
 * java.net.http.HttpClient, or (b) "reply": answers 200 with the sendMessage call in the body.
 * Latency is from the user's send to the echo being stored in the user's inbox (the emulator's
 * inbox timestamp, wall clock, millisecond resolution; the send time is taken on the same clock
 * just before the send). CPU is the whole process's (emulator, receiver, driver) per message, and
 * separately that of the receiver's own threads (the JDK HttpServer's dispatcher and pool, its
 * HttpClient's executor and selector thread).
 *
 * <p>Arguments (all optional): messages per measured run (2000), rate per second (200), users (20),
 * warm-up messages per mode (600).
 */
public final class WebhookReplyMeasurement {
    private enum Mode { SEPARATE, REPLY }

    private static final String TOKEN_SEPARATE = "710001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    private static final String TOKEN_REPLY = "710002:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    private static final String RECEIVER_THREAD_PREFIX = "receiver-";
    /** The selector thread of the receiver's HttpClient (found by name when the client is built). */
    private static final java.util.Set<Long> RECEIVER_SELECTORS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private WebhookReplyMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int userCount = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 600;
        // Messages per chat kept in the inbox must cover warm-up plus the measured run.
        int perChat = (warmup + messages) / userCount + 100;
        try (Emulator emulator = Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.off())
                .withStorage(Math.max(1_000, perChat), Math.max(1_000, perChat)));
             Receiver receiver = Receiver.start(emulator.baseUrl())) {
            System.out.printf(Locale.ROOT, "%d messages per mode, %d/s open loop, %d users, %d warm-up, %d CPUs, %s%n",
                    messages, rate, userCount, warmup, Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
            Setup separate = Setup.of(emulator, receiver, TOKEN_SEPARATE, Mode.SEPARATE, userCount);
            Setup reply = Setup.of(emulator, receiver, TOKEN_REPLY, Mode.REPLY, userCount);
            // Warm both paths up (JIT, connection pools) before measuring either.
            run(emulator, separate, warmup, rate, 0, false);
            run(emulator, reply, warmup, rate, 0, false);
            List<Result> results = new ArrayList<>();
            results.add(run(emulator, separate, messages, rate, warmup, true));
            results.add(run(emulator, reply, messages, rate, warmup, true));
            System.out.println();
            System.out.println("| mode | messages | p50 ms | p95 ms | p99 ms | max ms | CPU µs/msg (process) | CPU µs/msg (receiver) |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
            for (Result result : results) {
                System.out.println(result.row());
            }
        }
    }

    private record Result(Mode mode, int messages, long[] sortedMillis, double processCpuMicros,
                          double receiverCpuMicros) {
        String row() {
            return String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %.0f | %.0f |",
                    mode == Mode.SEPARATE ? "(a) 200 empty + sendMessage call" : "(b) sendMessage in the 200 answer",
                    messages, percentile(0.50), percentile(0.95), percentile(0.99),
                    sortedMillis[sortedMillis.length - 1], processCpuMicros, receiverCpuMicros);
        }

        long percentile(double p) {
            int index = (int) Math.ceil(p * sortedMillis.length) - 1;
            return sortedMillis[Math.max(0, Math.min(sortedMillis.length - 1, index))];
        }
    }

    /** One bot wired to the receiver in one mode, with its started users. */
    private record Setup(Mode mode, Bot bot, List<SimUser> users) {
        static Setup of(Emulator emulator, Receiver receiver, String token, Mode mode, int userCount)
                throws IOException, InterruptedException {
            Bot bot = emulator.sim().registerBot(token);
            List<SimUser> users = new ArrayList<>();
            for (int i = 0; i < userCount; i++) {
                SimUser user = emulator.sim().createUser(mode + "-" + i, null, null, "en", false);
                emulator.sim().start(user.id(), bot.id(), null);
                users.add(user);
            }
            receiver.setMode(bot.id(), mode);
            ObjectNode params = Json.object();
            params.put("url", receiver.url(bot.id()));
            params.put("max_connections", 100);
            params.put("drop_pending_updates", true);
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(emulator.baseUrl() + "/bot" + token + "/setWebhook"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.text(params))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("setWebhook: " + answer.body());
            }
            return new Setup(mode, bot, users);
        }
    }

    /**
     * Sends {@code count} messages ("<seq>", seq from {@code firstSeq}) round-robin over the users
     * at {@code rate} per second, open loop, waits for every echo, and measures.
     */
    private static Result run(Emulator emulator, Setup setup, int count, int rate, int firstSeq, boolean report)
            throws InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] sentAtMillis = new long[count];
        long processCpuBefore = os.getProcessCpuTime();
        long receiverCpuBefore = receiverCpuNanos();
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + i * intervalNanos;
            long pause = due - System.nanoTime();
            if (pause > 0) {
                Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
            }
            SimUser user = setup.users().get(i % setup.users().size());
            ObjectNode content = Json.object();
            content.put("text", Integer.toString(firstSeq + i));
            sentAtMillis[i] = System.currentTimeMillis();
            emulator.sim().send(user.id(), setup.bot().id(), 0, content);
        }
        long[] repliedAtMillis = new long[count];
        Arrays.fill(repliedAtMillis, -1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int missing;
        do {
            Thread.sleep(200);
            missing = collect(emulator, setup, firstSeq, repliedAtMillis);
        } while (missing > 0 && System.nanoTime() < deadline);
        long processCpu = os.getProcessCpuTime() - processCpuBefore;
        long receiverCpu = receiverCpuNanos() - receiverCpuBefore;
        if (missing > 0) {
            throw new IllegalStateException(missing + " of " + count + " echoes missing in mode " + setup.mode());
        }
        long[] latencies = new long[count];
        for (int i = 0; i < count; i++) {
            latencies[i] = Math.max(0, repliedAtMillis[i] - sentAtMillis[i]);
        }
        Arrays.sort(latencies);
        Result result = new Result(setup.mode(), count, latencies, processCpu / 1_000.0 / count,
                receiverCpu / 1_000.0 / count);
        if (report) {
            System.out.println(result.row());
        }
        return result;
    }

    /** Fills in the inbox time of every echo "r:<seq>" of this run; returns how many are missing. */
    private static int collect(Emulator emulator, Setup setup, int firstSeq, long[] repliedAtMillis) {
        for (SimUser user : setup.users()) {
            for (InboxEvent event : emulator.sim().inbox(user.id(), setup.bot().id(), 0, 0)) {
                String text = event.payload().path("text").asText("");
                if (event.event().equals("message") && text.startsWith("r:")) {
                    int index = Integer.parseInt(text.substring(2)) - firstSeq;
                    if (index >= 0 && index < repliedAtMillis.length && repliedAtMillis[index] < 0) {
                        repliedAtMillis[index] = event.atMillis();
                    }
                }
            }
        }
        int missing = 0;
        for (long at : repliedAtMillis) {
            if (at < 0) {
                missing++;
            }
        }
        return missing;
    }

    /** CPU time of the receiver's platform threads (HttpServer dispatcher and pool, HttpClient executor and selector). */
    private static long receiverCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && (info.getThreadName().startsWith(RECEIVER_THREAD_PREFIX)
                    || info.getThreadName().startsWith("HTTP-Dispatcher")
                    || RECEIVER_SELECTORS.contains(info.getThreadId()))) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                if (cpu > 0) {
                    total += cpu;
                }
            }
        }
        return total;
    }

    /**
     * The webhook receiver: one path per bot, answering each update in that bot's mode. Only
     * messages whose text is a number are echoed ("r:<number>"); anything else gets an empty 200.
     */
    private static final class Receiver implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService serverPool;
        private final ExecutorService clientPool;
        private final HttpClient client;
        private final String apiBase;
        private final java.util.Map<Long, Mode> modes = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.Map<Long, String> tokens = java.util.Map.of(
                Long.parseLong(TOKEN_SEPARATE.split(":")[0]), TOKEN_SEPARATE,
                Long.parseLong(TOKEN_REPLY.split(":")[0]), TOKEN_REPLY);

        private Receiver(String apiBase) throws IOException {
            this.apiBase = apiBase;
            // Platform threads, so that their CPU time can be read per thread.
            this.serverPool = Executors.newFixedThreadPool(64, named(RECEIVER_THREAD_PREFIX + "http-"));
            this.clientPool = Executors.newFixedThreadPool(8, named(RECEIVER_THREAD_PREFIX + "client-"));
            java.util.Set<Long> before = selectorThreads();
            this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientPool).build();
            java.util.Set<Long> mine = selectorThreads();
            mine.removeAll(before);
            RECEIVER_SELECTORS.addAll(mine);
            this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
            server.createContext("/hook/", this::handle);
            server.setExecutor(serverPool);
            server.start();
        }

        static Receiver start(String apiBase) throws IOException {
            return new Receiver(apiBase);
        }

        void setMode(long botId, Mode mode) {
            modes.put(botId, mode);
        }

        String url(long botId) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook/" + botId;
        }

        private void handle(HttpExchange exchange) throws IOException {
            long botId = Long.parseLong(exchange.getRequestURI().getPath().substring("/hook/".length()));
            JsonNode update;
            try (InputStream in = exchange.getRequestBody()) {
                update = Json.MAPPER.readTree(in);
            }
            JsonNode message = update.path("message");
            String text = message.path("text").asText("");
            boolean echo = !text.isEmpty() && Character.isDigit(text.charAt(0));
            ObjectNode call = Json.object();
            call.put("chat_id", message.path("chat").path("id").asLong());
            call.put("text", "r:" + text);
            if (echo && modes.get(botId) == Mode.REPLY) {
                call.put("method", "sendMessage");
                byte[] body = Json.bytes(call);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
                return;
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            if (echo) {
                sendMessage(botId, call);
            }
        }

        private void sendMessage(long botId, ObjectNode call) {
            try {
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(
                                URI.create(apiBase + "/bot" + tokens.get(botId) + "/sendMessage"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(call))).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (answer.statusCode() != 200) {
                    System.err.println("sendMessage: " + answer.statusCode() + " " + answer.body());
                }
            } catch (IOException e) {
                System.err.println("sendMessage failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            server.stop(0);
            serverPool.shutdownNow();
            client.close();
            clientPool.shutdownNow();
        }

        private static java.util.Set<Long> selectorThreads() {
            java.util.Set<Long> ids = new java.util.HashSet<>();
            Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().endsWith("SelectorManager"))
                    .forEach(thread -> ids.add(thread.threadId()));
            return ids;
        }

        private static ThreadFactory named(String prefix) {
            AtomicInteger counter = new AtomicInteger();
            return runnable -> {
                Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            };
        }
    }
}
