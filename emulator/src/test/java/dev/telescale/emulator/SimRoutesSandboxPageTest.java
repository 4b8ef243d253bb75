package dev.telescale.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The browser sandbox's files, served by the emulator itself over HTTP with their content types. */
class SimRoutesSandboxPageTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Emulator emulator;

    private void start() {
        emulator = Emulator.start(EmulatorConfig.defaults());
    }

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void sandbox_pageScriptAndStyle_areServedWithTheirContentTypes() throws Exception {
        start();
        HttpResponse<String> page = get("/sandbox");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<title>Telescale sandbox</title>")
                .contains("/sandbox/sandbox.js").contains("/sandbox/sandbox.css")
                .doesNotContain("http://").doesNotContain("https://");

        HttpResponse<String> script = get("/sandbox/sandbox.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
        assertThat(script.body()).contains("/sim/bots").contains("telescale.sandbox.users");
        // Mini Apps: the sim calls, Telegram Web's postMessage events, the launch parameters it reads
        assertThat(script.body()).contains("/webapp'").contains("/webapp-data").contains("/menu-button?bot=")
                .contains("'web_app_close'").contains("'web_app_data_send'").contains("tgWebAppThemeParams")
                .contains("JSON.stringify({ eventType, eventData })");

        HttpResponse<String> style = get("/sandbox/sandbox.css");
        assertThat(style.statusCode()).isEqualTo(200);
        assertThat(style.headers().firstValue("Content-Type").orElse("")).startsWith("text/css");
        assertThat(style.body()).contains(".chat").contains(".webapp-overlay").contains(".webapp-frame")
                .contains(".menu-button");
        assertThat(get("/sandbox/").statusCode()).isEqualTo(200);
    }

    @Test
    void sandbox_unknownFiles_areNotFound() throws Exception {
        start();
        assertThat(get("/sandbox/missing.js").statusCode()).isEqualTo(404);
        assertThat(get("/sandbox/..%2Fsandbox%2Findex.html").statusCode()).isEqualTo(404);
        assertThat(get("/sandbox/.hidden.css").statusCode()).isEqualTo(404);
    }
}
