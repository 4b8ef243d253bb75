package dev.telescale.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link OpsRoutes} over real HTTP: /health/live, /health/ready and /metrics on a Javalin on port 0. */
class HealthAndMetricsRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Health health = new Health();
    private final Metrics metrics = new Metrics();
    private final AtomicBoolean redisUp = new AtomicBoolean(true);
    private Javalin server;

    @BeforeEach
    void start() {
        health.register("database", Duration.ofSeconds(1), () -> new Health.Check("database", true, "sqlite"));
        health.register("redis", Duration.ofSeconds(1), () -> {
            if (!redisUp.get()) {
                throw new IllegalStateException("Connection refused");
            }
            return new Health.Check("redis", true, "in-process");
        });
        OpsRoutes routes = new OpsRoutes(health, metrics);
        server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            routes.register(config.routes);
        }).start();
    }

    @AfterEach
    void stop() {
        server.stop();
        metrics.close();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void live_always_answersUp() throws Exception {
        redisUp.set(false);

        HttpResponse<String> response = get("/health/live");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("{\"status\":\"up\"}"));
    }

    @Test
    void ready_withHealthyChecks_answers200WithEveryCheck() throws Exception {
        HttpResponse<String> response = get("/health/ready");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("""
                {"status":"up","checks":[
                  {"name":"database","ok":true,"detail":"sqlite"},
                  {"name":"redis","ok":true,"detail":"in-process"}]}"""));
    }

    @Test
    void ready_withAFailingCheck_answers503AndSaysWhich() throws Exception {
        redisUp.set(false);

        HttpResponse<String> response = get("/health/ready");

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("down");
        assertThat(body.path("checks").get(1)).isEqualTo(JSON.readTree(
                "{\"name\":\"redis\",\"ok\":false,\"detail\":\"IllegalStateException: Connection refused\"}"));
    }

    @Test
    void metrics_afterCounting_servesThePrometheusTextFormat() throws Exception {
        metrics.updatesIn("123456", "webhook").increment();

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type.replace(" ", "")).isEqualToIgnoringCase(
                        "text/plain;version=0.0.4;charset=utf-8"));
        assertThat(response.body())
                .contains("# TYPE telescale_updates_in_total counter")
                .contains("telescale_updates_in_total{bot=\"123456\",source=\"webhook\"} 1.0")
                .contains("jvm_memory_used_bytes");
    }
}
