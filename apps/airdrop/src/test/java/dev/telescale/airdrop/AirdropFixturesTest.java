package dev.telescale.airdrop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.airdrop.AirdropHarness.Backend;
import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.ingress.WebhookSecrets;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every real update payload of fixtures/telegram-updates, posted to the webhook, is handled by the airdrop without an error. */
class AirdropFixturesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void everyFixture_isHandledWithoutAnError(Backend backend) throws Exception {
        AirdropSettings settings = AirdropSettings.defaults(Set.of(AirdropHarness.ADMIN), "http://127.0.0.1:8080/apps/airdrop/webapp");
        try (AirdropHarness h = new AirdropHarness(backend, dir, settings)) {
            int port = AirdropHarness.freePort();
            String secret = "fixture-secret-0123456789";
            h.env.put("WEBHOOK_BASE_URL", "http://127.0.0.1:" + port);
            h.env.put("WEBHOOK_SECRET", secret);
            h.startInstance(port);
            List<Path> fixtures;
            try (Stream<Path> files = Files.list(fixturesDir())) {
                fixtures = files.filter(path -> path.toString().endsWith(".json")).sorted().toList();
            }
            assertThat(fixtures).hasSizeGreaterThanOrEqualTo(45);
            String url = "http://127.0.0.1:" + port + "/telegram/" + new BotToken(AirdropHarness.TOKEN_A).webhookKey();
            String header = new WebhookSecrets(secret).secretFor(AirdropHarness.BOT_A);
            long updateId = 900_000_000L;
            for (Path fixture : fixtures) {
                ObjectNode json = (ObjectNode) AirdropHarness.JSON.readTree(Files.readString(fixture));
                json.put("update_id", ++updateId);
                HttpResponse<String> response = AirdropHarness.HTTP.send(HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json").header("X-Telegram-Bot-Api-Secret-Token", header)
                        .POST(HttpRequest.BodyPublishers.ofString(json.toString())).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(fixture.getFileName().toString()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> h.queryLong(
                    "SELECT count(*) FROM inbound_updates WHERE update_id > 900000000 AND status = 0") == 0);
            assertThat(h.queryLong("SELECT count(*) FROM inbound_updates WHERE update_id > 900000000 AND status = 1"))
                    .isEqualTo(fixtures.size());
            assertThat(h.queryLong("SELECT count(*) FROM inbound_updates WHERE update_id > 900000000 AND attempts > 0"))
                    .as("no handler failed even once").isZero();
        }
    }

    static Path fixturesDir() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("fixtures/telegram-updates");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no fixtures/telegram-updates above " + System.getProperty("user.dir"));
    }
}
