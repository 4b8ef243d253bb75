package dev.telescale.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * A pass-through in front of the bot's webhook: the emulator posts each update here, and it is
 * posted on, unchanged (body, content type, secret token header), to the bot; the bot's answer goes
 * back unchanged. What it records is the time from sending the POST to the bot until the bot's
 * answer was read, so the figure is the bot's webhook answer time as a client on this machine sees
 * it, without the pass-through's own hop. One virtual thread per request; thread-safe.
 */
final class WebhookTimer implements AutoCloseable {
    private static final List<String> FORWARDED = List.of("Content-Type", "X-Telegram-Bot-Api-Secret-Token");

    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int botPort;
    private final SynchronizedHistogram answerMicros = new SynchronizedHistogram(LatencyRecorder.HIGHEST_MICROS, 3);
    private final LongAdder failures = new LongAdder();
    private volatile long measureFromNanos = Long.MAX_VALUE;

    private WebhookTimer(HttpServer server, int botPort) {
        this.server = server;
        this.botPort = botPort;
    }

    static WebhookTimer start(int botPort) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
            WebhookTimer timer = new WebhookTimer(server, botPort);
            server.createContext("/", timer::forward);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return timer;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the webhook timer: " + e.getMessage(), e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** POSTs sent from now on are recorded (earlier ones, such as set-up updates, are not). */
    void measureFromNow() {
        measureFromNanos = System.nanoTime();
    }

    /** Webhook answer times in microseconds. */
    Histogram answers() {
        return answerMicros.copy();
    }

    /** POSTs the bot did not answer (connection failures); its non-2xx answers are passed on and counted here too. */
    long failures() {
        return failures.sum();
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + botPort
                            + exchange.getRequestURI())).timeout(Duration.ofSeconds(60))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            for (String header : FORWARDED) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    request.header(header, value);
                }
            }
            long started = System.nanoTime();
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                failures.increment();
                exchange.sendResponseHeaders(502, -1);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            long micros = (System.nanoTime() - started) / 1_000;
            if (started >= measureFromNanos) {
                answerMicros.recordValue(Math.min(LatencyRecorder.HIGHEST_MICROS, micros));
                if (response.statusCode() / 100 != 2) {
                    failures.increment();
                }
            }
            response.headers().firstValue("Content-Type")
                    .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        http.close();
    }
}
