package dev.telescale.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;

/**
 * The demo as a newcomer meets it, in headless chromium: the sandbox matches two users of the two
 * demo bots and relays a text and a picture without identifying data; then the admin logs in to the
 * dashboard, sees the counters move, bans the reported user from the report, and the ban takes
 * effect in the chat. The steps share one demo and run in order. Screenshots: target/screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SandboxAndDashboardBrowserTest {
    static final String PASSWORD = "browser-test-password";
    static final Duration PATIENCE = Duration.ofSeconds(30);

    Path dataDir;
    Demo demo;
    Browser browser;
    String sandboxTab;

    @BeforeAll
    void startDemo() throws IOException {
        dataDir = Files.createTempDirectory("telescale-browser-test");
        StringWriter problems = new StringWriter();
        demo = Demo.start(freePort(), Map.of("DATABASE_URL", "sqlite:" + dataDir.resolve("telescale.db"),
                "HTTP_HOST", "127.0.0.1", "HTTP_PORT", Integer.toString(freePort()), "ADMIN_PASSWORD", PASSWORD,
                "SHUTDOWN_TIMEOUT", "5s"), new PrintWriter(problems));
        assertThat(demo).as("the demo starts: %s", problems).isNotNull();
        assertThat(demo.banner()).contains(demo.sandboxUrl()).contains(demo.adminUrl()).contains("from ADMIN_PASSWORD")
                .doesNotContain(PASSWORD);
        browser = new Browser();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (demo != null) {
            demo.close();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    // ---- the sandbox ----

    WebElement window(String name) {
        return browser.driver.findElement(By.cssSelector("section.chat[data-name='" + name + "']"));
    }

    /** Waits until a window shows a message from the bot containing the text; returns how many do. */
    int awaitBotText(String name, String fragment) {
        return browser.waitUpTo(PATIENCE).withMessage(name + " sees \"" + fragment + "\"").until(driver -> {
            long count = window(name).findElements(By.cssSelector(".msg.from-bot")).stream()
                    .filter(message -> message.getText().contains(fragment)).count();
            return count > 0 ? (int) count : null;
        });
    }

    void command(String name, String command) {
        window(name).findElement(By.cssSelector(".commands button[data-command='" + command + "']")).click();
    }

    void type(String name, String text) {
        WebElement composer = window(name).findElement(By.cssSelector("input.composer"));
        composer.clear();
        composer.sendKeys(text);
        window(name).findElement(By.cssSelector("button.send")).click();
    }

    void pressInline(String name, String label) {
        browser.waitUpTo(PATIENCE).withMessage(name + " has a button \"" + label + "\"").until(driver -> {
            List<WebElement> buttons = window(name).findElements(By.cssSelector("button.inline-button"));
            for (int i = buttons.size() - 1; i >= 0; i--) {
                if (buttons.get(i).getText().trim().equals(label)) {
                    buttons.get(i).click();
                    return true;
                }
            }
            return null;
        });
    }

    void onboard(String name, String gender, int age) {
        command(name, "/start");
        pressInline(name, gender);
        awaitBotText(name, "How old are you");
        type(name, Integer.toString(age));
        awaitBotText(name, "All set");
    }

    @Test
    @Order(1)
    void twoUsersOfDifferentBotsAreMatchedAndChatWithoutLearningWhoTheOtherIs() throws Exception {
        browser.driver.get(demo.sandboxUrl());
        sandboxTab = browser.driver.getWindowHandle();
        browser.waitUpTo(PATIENCE).withMessage("Ann's and Bob's windows").until(driver ->
                driver.findElements(By.cssSelector("section.chat")).size() >= 2);
        assertThat(browser.driver.getTitle()).isEqualTo("Telescale sandbox");
        assertThat(window("Ann").getAttribute("data-bot")).isNotEqualTo(window("Bob").getAttribute("data-bot"));
        String annId = window("Ann").getAttribute("data-user");

        onboard("Ann", "Female", 27);
        onboard("Bob", "Male", 29);
        command("Ann", "/search");
        command("Bob", "/search");
        awaitBotText("Ann", "Partner found");
        awaitBotText("Bob", "Partner found");

        type("Ann", "hello stranger");
        awaitBotText("Bob", "hello stranger");

        Path picture = dataDir.resolve("sunset.png");
        writeSunset(picture);
        window("Ann").findElement(By.cssSelector("input.attach")).sendKeys(picture.toString());
        WebElement photo = browser.waitUpTo(PATIENCE).withMessage("Bob sees Ann's picture").until(driver ->
                window("Bob").findElements(By.cssSelector(".msg.from-bot img.photo")).stream()
                        .filter(img -> (Long) ((JavascriptExecutor) driver).executeScript(
                                "return arguments[0].complete ? arguments[0].naturalWidth : 0;", img) > 0)
                        .findFirst().orElse(null));
        assertThat(photo.getAttribute("src")).contains("/sim/files/");

        String bobSees = window("Bob").findElement(By.cssSelector(".messages")).getText();
        assertThat(bobSees).doesNotContain("Ann").doesNotContain(annId);
        String bobsInbox = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(demo.emulator().baseUrl()
                        + "/sim/users/" + window("Bob").getAttribute("data-user") + "/inbox?bot="
                        + window("Bob").getAttribute("data-bot"))).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(bobsInbox).contains("hello stranger").doesNotContain(annId).doesNotContain("\"Ann\"");
        browser.screenshot("sandbox");
    }

    /** A 240x150 picture: an orange sky over a dark sea with a sun. */
    static void writeSunset(Path file) throws IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(240, 150, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        g.setPaint(new java.awt.GradientPaint(0, 0, new java.awt.Color(255, 140, 60), 0, 100, new java.awt.Color(255, 210, 120)));
        g.fillRect(0, 0, 240, 100);
        g.setColor(new java.awt.Color(255, 245, 200));
        g.fillOval(95, 60, 50, 50);
        g.setColor(new java.awt.Color(30, 60, 110));
        g.fillRect(0, 100, 240, 50);
        g.dispose();
        javax.imageio.ImageIO.write(image, "png", file.toFile());
    }

    // ---- the dashboard ----

    String tile(String attribute, String key) {
        return browser.driver.findElement(By.cssSelector(".tile[" + attribute + "='" + key + "'] .value")).getText();
    }

    static double number(String shown) {
        return Double.parseDouble(shown.replace(",", "").replace("–", "-1"));
    }

    @Test
    @Order(2)
    void theAdminSeesTheCountersMoveAndABanFromAReportTakesEffectInTheChat() throws Exception {
        type("Bob", "/report");
        pressInline("Bob", "Insults or harassment");

        browser.driver.switchTo().newWindow(WindowType.TAB);
        String dashboardTab = browser.driver.getWindowHandle();
        browser.driver.get(demo.adminUrl());
        browser.driver.findElement(By.id("password")).sendKeys("not the password");
        browser.driver.findElement(By.id("login-submit")).click();
        // the refusal arrives after half a second: wait for the new page, not the old form
        WebElement refused = browser.waitUpTo(PATIENCE).withMessage("the wrong password is refused").until(driver ->
                driver.findElements(By.id("login-error")).stream().findFirst().orElse(null));
        assertThat(refused.getText()).contains("Wrong password");
        browser.driver.findElement(By.id("password")).sendKeys(PASSWORD + Keys.ENTER);
        browser.waitUpTo(PATIENCE).withMessage("the users tile shows 2").until(driver ->
                driver.findElements(By.cssSelector(".tile[data-figure='users'] .value")).stream()
                        .anyMatch(value -> value.getText().equals("2")));
        assertThat(tile("data-figure", "in_chat")).isEqualTo("2");
        double sentBefore = number(tile("data-live", "messages_out_total"));
        assertThat(sentBefore).isPositive();

        browser.driver.switchTo().window(sandboxTab);
        type("Ann", "are you still there?");
        awaitBotText("Bob", "are you still there?");
        browser.driver.switchTo().window(dashboardTab);
        browser.waitUpTo(PATIENCE).withMessage("messages sent moves past " + sentBefore).until(driver ->
                number(tile("data-live", "messages_out_total")) > sentBefore);

        WebElement report = browser.waitUpTo(PATIENCE).withMessage("the report is listed").until(driver ->
                driver.findElements(By.cssSelector("#reports tbody tr[data-report]")).stream().findFirst().orElse(null));
        assertThat(report.getText()).contains("Insults or harassment").doesNotContain("Ann");
        report.findElement(By.cssSelector("button.ban")).click();
        browser.waitUpTo(PATIENCE).withMessage("the report shows the ban").until(driver ->
                driver.findElements(By.cssSelector("#reports tbody tr[data-report] button.unban")).size() == 1);
        assertThat(browser.driver.findElement(By.id("action-result")).getText()).contains("is banned until");
        browser.waitUpTo(PATIENCE).withMessage("the banned tile shows 1").until(driver -> tile("data-figure", "banned").equals("1"));
        browser.screenshot("dashboard");

        browser.driver.switchTo().window(sandboxTab);
        awaitBotText("Ann", "You cannot search until");
        awaitBotText("Bob", "Your partner ended the chat");
        command("Ann", "/search");
        browser.waitUpTo(PATIENCE).withMessage("Ann's search is refused again").until(driver ->
                window("Ann").findElements(By.cssSelector(".msg.from-bot")).stream()
                        .filter(message -> message.getText().contains("You cannot search until")).count() >= 2);
        browser.screenshot("sandbox-after-ban");
    }
}
