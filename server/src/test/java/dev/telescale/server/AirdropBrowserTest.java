package dev.telescale.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telescale.airdrop.AirdropApplication;
import dev.telescale.airdrop.AirdropSettings;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The airdrop's two pages in headless chromium, on SQLite, against the emulator: a user presses
 * /start, opens the Mini App with initData signed as Telegram signs it (in the address's
 * #tgWebAppData, as Telegram clients pass it), fails the captcha once, passes it (the answer read
 * from the database, since a test cannot read the picture) and sees their points while the bot
 * tells them in the chat; the same initData a second time is refused. Then the admin logs in,
 * creates a task with the airdrop page's editor and switches maintenance on. The steps run in
 * order. Screenshots: target/screenshots (airdrop-webapp, airdrop-admin).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AirdropBrowserTest {
    static final String TOKEN = "720001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final long BOT = 720001;
    static final long ADMIN_ID = 42;
    static final String PASSWORD = "airdrop-browser-test-password";
    static final Duration PATIENCE = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    Path dataDir;
    Emulator emulator;
    TelescaleRuntime runtime;
    Browser browser;
    String base;
    String webAppUrl;
    SimUser alice;

    @BeforeAll
    void start() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Browser.CHROMIUM) && Files.isExecutable(Browser.CHROMEDRIVER),
                "skipped: the browser tests need Debian's chromium and chromium-driver (/usr/bin/chromium, "
                        + "/usr/bin/chromedriver): apt-get install chromium chromium-driver, as .ci/run does");
        dataDir = Files.createTempDirectory("telescale-airdrop-browser");
        emulator = Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.off()));
        emulator.sim().registerBot(TOKEN);
        int port = freePort();
        base = "http://127.0.0.1:" + port;
        webAppUrl = base + "/apps/airdrop/webapp";
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BOT_TOKENS", "airdrop:" + TOKEN);
        env.put("TELEGRAM_API_URL", emulator.baseUrl());
        env.put("DATABASE_URL", "sqlite:" + dataDir.resolve("telescale.db"));
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HTTP_PORT", Integer.toString(port));
        env.put("SHUTDOWN_TIMEOUT", "5s");
        env.put("ADMIN_IDS", Long.toString(ADMIN_ID));
        env.put("ADMIN_PASSWORD", PASSWORD);
        env.put("RATE_LIMIT_PER_CHAT", "100");
        env.put("RATE_LIMIT_PER_CHAT_BURST", "100");
        env.put("RATE_LIMIT_PER_BOT", "1000");
        TelescaleConfig config = switch (ConfigLoader.load(env, Path.of("/nonexistent/.env"))) {
            case ConfigResult.Valid valid -> valid.config();
            case ConfigResult.Invalid invalid -> throw new IllegalArgumentException(String.join("\n", invalid.problems()));
        };
        AirdropSettings settings = AirdropSettings.defaults(Set.of(ADMIN_ID), webAppUrl);
        runtime = TelescaleRuntime.start(config, Map.of(AirdropApplication.NAME, new AirdropApplication(settings)),
                InstantSource.system());
        browser = new Browser();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (runtime != null) {
            runtime.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    // ---- helpers ----

    /** initData as Telegram signs it: HMAC-SHA256 with the key HMAC-SHA256("WebAppData", token) over the sorted fields. */
    static String signedInitData(String token, Map<String, String> fields) throws Exception {
        Map<String, String> sorted = new TreeMap<>(fields);
        String dataCheck = sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n"));
        byte[] secret = hmac("WebAppData".getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
        String hash = HexFormat.of().formatHex(hmac(secret, dataCheck.getBytes(StandardCharsets.UTF_8)));
        Map<String, String> all = new LinkedHashMap<>(fields);
        all.put("hash", hash);
        return all.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    /** The Mini App's address as a Telegram client opens it, with freshly signed initData. */
    String miniAppUrl(SimUser user) throws Exception {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("query_id", "AAHdF6IQAAAAAN0Xoh" + Long.toString(System.nanoTime(), 36));
        fields.put("user", JSON.writeValueAsString(user.userJson().deepCopy().put("allows_write_to_pm", true)));
        fields.put("auth_date", Long.toString(System.currentTimeMillis() / 1000));
        return webAppUrl + "#tgWebAppData=" + URLEncoder.encode(signedInitData(TOKEN, fields), StandardCharsets.UTF_8)
                + "&tgWebAppVersion=8.0&tgWebAppPlatform=web";
    }

    String captchaAnswer(long userId) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("telescale.db"));
             PreparedStatement query = db.prepareStatement("SELECT captcha_answer FROM ad_users WHERE user_id = ?")) {
            query.setLong(1, userId);
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).as("user %s has a row in ad_users", userId).isTrue();
                return rows.getString(1);
            }
        }
    }

    /** Waits until the bot's chat with the user has a message containing the text. */
    InboxEvent awaitChat(long userId, String fragment) {
        return browser.waitUpTo(PATIENCE).withMessage("the chat shows \"" + fragment + "\"").until(driver -> {
            for (InboxEvent event : emulator.sim().inbox(userId, BOT, 0, 0)) {
                if (event.event().equals("message") && event.payload().path("text").asText("").contains(fragment)) {
                    return event;
                }
            }
            return null;
        });
    }

    WebElement visible(String id) {
        return browser.waitUpTo(PATIENCE).withMessage("#" + id + " is shown").until(driver ->
                driver.findElements(By.id(id)).stream().filter(WebElement::isDisplayed).findFirst().orElse(null));
    }

    void awaitText(String id, String fragment) {
        browser.waitUpTo(PATIENCE).withMessage("#" + id + " shows \"" + fragment + "\"").until(driver ->
                driver.findElements(By.id(id)).stream().anyMatch(node -> node.isDisplayed() && node.getText().contains(fragment)));
    }

    void answer(String text) {
        WebElement field = visible("captcha-answer");
        field.clear();
        field.sendKeys(text + Keys.ENTER);
    }

    // ---- the Mini App ----

    @Test
    @Order(1)
    void aUserPassesTheCaptchaInTheMiniAppAndSeesTheirPointsWhileAReplayedInitDataIsRefused() throws Exception {
        alice = emulator.sim().createUser("Alice", "Tester", "alice", "en", false);
        emulator.sim().start(alice.id(), BOT, "");
        awaitChat(alice.id(), "Welcome to the airdrop");

        String pageUrl = miniAppUrl(alice);
        browser.driver.manage().window().setSize(new Dimension(430, 900));
        browser.driver.get(pageUrl);
        WebElement picture = visible("captcha-image");
        browser.waitUpTo(PATIENCE).withMessage("the captcha picture is drawn").until(driver ->
                (Long) ((JavascriptExecutor) driver).executeScript(
                        "return arguments[0].complete ? arguments[0].naturalWidth : 0;", picture) > 0);
        assertThat(picture.getAttribute("src")).startsWith("data:image/svg+xml;base64,");

        String first = captchaAnswer(alice.id());
        answer(Integer.toString((Integer.parseInt(first) + 1) % 100));
        awaitText("captcha-error", "Wrong answer. Attempts left: 4");
        String second = captchaAnswer(alice.id());

        answer(second);
        visible("home");
        awaitText("points", "100");
        assertThat(browser.driver.findElement(By.id("rank")).getText()).matches("#\\d+");
        assertThat(browser.driver.findElement(By.id("invite-link")).getAttribute("value")).contains("?start=");
        browser.waitUpTo(PATIENCE).withMessage("the leaderboard lists the user").until(driver ->
                driver.findElement(By.id("leaderboard")).getText().contains("(you)"));
        awaitChat(alice.id(), "You are verified");

        // the fingerprint's fallback hash agrees with crypto.subtle's
        Object same = ((JavascriptExecutor) browser.driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const text = "abc \\u{1F680} ".repeat(40);
                crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(d => done(
                  Array.from(new Uint8Array(d), b => b.toString(16).padStart(2, "0")).join("")
                  === window.airdropSha256(new TextEncoder().encode(text))));""");
        assertThat(same).isEqualTo(true);

        // a reload (Telegram gives the page the same initData again) goes on with the tab's session
        browser.driver.navigate().refresh();
        browser.waitUpTo(PATIENCE).withMessage("the reloaded page shows the points").until(driver ->
                driver.findElement(By.id("points")).getText().contains("100"));

        // the same initData elsewhere (no session of this tab): refused
        ((JavascriptExecutor) browser.driver).executeScript("sessionStorage.clear()");
        browser.driver.get("about:blank");
        browser.driver.get(pageUrl);
        awaitText("error", "used already");
        assertThat(browser.driver.findElement(By.id("home")).isDisplayed()).isFalse();
    }

    // ---- the admin page ----

    @Test
    @Order(2)
    void theAdminCreatesATaskAndSwitchesMaintenanceOn() {
        browser.driver.manage().window().setSize(new Dimension(1400, 1300));
        browser.driver.get(base + "/admin");
        browser.driver.findElement(By.id("password")).sendKeys(PASSWORD + Keys.ENTER);
        browser.waitUpTo(PATIENCE).withMessage("the dashboard links the airdrop page").until(driver ->
                !driver.findElements(By.cssSelector("a[href='/admin/apps/airdrop']")).isEmpty());
        browser.driver.get(base + "/admin/apps/airdrop");
        browser.waitUpTo(PATIENCE).withMessage("the verified tile shows 1").until(driver ->
                driver.findElements(By.cssSelector(".tile[data-figure='verified'] .value")).stream()
                        .anyMatch(value -> value.getText().equals("1")));
        assertThat(browser.driver.findElement(By.id("back")).getAttribute("href")).endsWith("/admin");

        new org.openqa.selenium.support.ui.Select(browser.driver.findElement(By.id("task-kind"))).selectByValue("custom");
        browser.driver.findElement(By.id("task-title")).sendKeys("Follow us on Mastodon");
        WebElement points = browser.driver.findElement(By.id("task-points"));
        points.clear();
        points.sendKeys("25");
        browser.driver.findElement(By.id("task-url")).sendKeys("https://example.org/@airdrop");
        browser.driver.findElement(By.id("task-save")).click();
        awaitText("task-result", "created");
        browser.waitUpTo(PATIENCE).withMessage("the new task is listed").until(driver ->
                driver.findElements(By.cssSelector("#tasks tbody tr[data-task]")).stream()
                        .anyMatch(row -> row.getText().contains("Follow us on Mastodon") && row.getText().contains("25")));

        WebElement maintenance = browser.driver.findElement(By.id("maintenance"));
        assertThat(maintenance.isSelected()).isFalse();
        maintenance.click();
        awaitText("action-result", "maintenance on");
        awaitText("status", "maintenance is on");
        assertThat(browser.driver.findElement(By.id("maintenance")).isSelected()).isTrue();

        WebElement lookup = browser.driver.findElement(By.id("lookup-no"));
        lookup.sendKeys("1" + Keys.ENTER);
        awaitText("user-summary", "verified");
        try {
            browser.screenshot("airdrop-admin");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @Order(3)
    void theNewTaskShowsInTheMiniApp() throws Exception {
        browser.driver.manage().window().setSize(new Dimension(430, 900));
        browser.driver.get(miniAppUrl(alice));
        browser.waitUpTo(PATIENCE).withMessage("the Mini App lists the new task").until(driver ->
                driver.findElements(By.cssSelector("#tasks li[data-task]")).stream()
                        .anyMatch(task -> task.getText().contains("Follow us on Mastodon") && task.getText().contains("+25")));
        awaitText("points", "100");
        browser.screenshot("airdrop-webapp");
    }
}
