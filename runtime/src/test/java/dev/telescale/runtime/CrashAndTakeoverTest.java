package dev.telescale.runtime;

import static dev.telescale.runtime.RuntimeHarness.TOKEN_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.state.SimUser;
import dev.telescale.runtime.bot.BotToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instances in their own JVMs: killed with SIGKILL in the middle of the work, and two instances
 * polling one token. Nothing accepted may be lost; order per chat holds.
 */
class CrashAndTakeoverTest {
    @TempDir
    Path dataDir;
    private Emulator emulator;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void startEmulator() {
        emulator = RuntimeHarness.emulator();
        emulator.sim().registerBot(TOKEN_A);
    }

    @AfterEach
    void stopAll() {
        processes.forEach(Process::destroyForcibly);
        emulator.close();
    }

    private Process spawn(Map<String, String> env, String name) throws Exception {
        Path log = dataDir.resolve(name + ".log");
        Process process = RuntimeProcess.spawn(env, log);
        processes.add(process);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(log) && Files.readString(log).contains("READY"));
        return process;
    }

    private List<SimUser> users(long bot, int count) {
        List<SimUser> users = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SimUser user = emulator.sim().createUser("Crash" + i, null, null, "en", false);
            emulator.sim().start(user.id(), bot, null);
            users.add(user);
        }
        return users;
    }

    private void say(SimUser user, long bot, String text) {
        ObjectNode content = Json.object();
        content.put("text", text);
        emulator.sim().send(user.id(), bot, 0, content);
    }

    private int echoed(long bot, List<SimUser> users) {
        return users.stream().mapToInt(user -> RuntimeHarness.textsSentTo(emulator, bot, user.id()).size()).sum();
    }

    /** First occurrences in order must be exactly the expected texts; returns the number of repeats. */
    private int assertNothingLostInOrder(long bot, List<SimUser> users, List<String> expected) {
        int repeats = 0;
        for (SimUser user : users) {
            List<String> texts = RuntimeHarness.textsSentTo(emulator, bot, user.id());
            assertThat(new ArrayList<>(new LinkedHashSet<>(texts))).containsExactlyElementsOf(expected);
            repeats += texts.size() - expected.size();
        }
        return repeats;
    }

    @Test
    void killMinus9_duringProcessing_restartLosesNothing() throws Exception {
        Map<String, String> env = RuntimeHarness.env(emulator, dataDir, TOKEN_A);
        env.put("INSTANCE_ID", "crash-1");
        long bot = new BotToken(TOKEN_A).botId();
        List<SimUser> users = users(bot, 5);
        Process first = spawn(env, "first");
        List<String> expected = new ArrayList<>(List.of("echo: /start"));
        IntStream.range(0, 60).forEach(i -> expected.add("echo: k" + i));
        Thread sender = Thread.ofVirtual().start(() -> IntStream.range(0, 60).forEach(i ->
                users.forEach(user -> say(user, bot, "k" + i))));
        await().atMost(Duration.ofSeconds(60)).until(() -> echoed(bot, users) >= 60);
        first.destroyForcibly().waitFor();
        sender.join();
        env.put("INSTANCE_ID", "crash-2");
        spawn(env, "second");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> users.forEach(user ->
                assertThat(new LinkedHashSet<>(RuntimeHarness.textsSentTo(emulator, bot, user.id()))).hasSize(
                        expected.size())));
        int repeats = assertNothingLostInOrder(bot, users, expected);
        // A message Telegram accepted just before the kill, but not yet marked sent, is sent again.
        assertThat(repeats).isLessThanOrEqualTo(users.size() * 2);
    }

    @Test
    void twoInstances_onePollerPerToken_takeoverWhenTheHolderDies() throws Exception {
        Map<String, String> env = RuntimeHarness.onPostgresAndRedis(RuntimeHarness.env(emulator, dataDir, TOKEN_A));
        long bot = new BotToken(TOKEN_A).botId();
        List<SimUser> users = users(bot, 3);
        env.put("INSTANCE_ID", "one");
        Process one = spawn(env, "one");
        Map<String, String> envTwo = new java.util.HashMap<>(env);
        envTwo.put("INSTANCE_ID", "two");
        envTwo.put("HTTP_PORT", Integer.toString(RuntimeHarness.freePort()));
        Process two = spawn(envTwo, "two");
        List<String> expected = new ArrayList<>(List.of("echo: /start"));
        IntStream.range(0, 20).forEach(i -> expected.add("echo: t" + i));
        IntStream.range(0, 10).forEach(i -> users.forEach(user -> say(user, bot, "t" + i)));
        await().atMost(Duration.ofSeconds(60)).until(() -> echoed(bot, users) >= users.size() * 11);
        assertThat(emulator.stats().total("getupdates", 409)).as("two pollers fought").isZero();
        String holderLog = Files.readString(dataDir.resolve("one.log"));
        Process holder = holderLog.contains("polling for bot") ? one : two;
        holder.destroyForcibly().waitFor();
        IntStream.range(10, 20).forEach(i -> users.forEach(user -> say(user, bot, "t" + i)));
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> users.forEach(user ->
                assertThat(new LinkedHashSet<>(RuntimeHarness.textsSentTo(emulator, bot, user.id())))
                        .hasSize(expected.size())));
        assertNothingLostInOrder(bot, users, expected);
        assertThat(emulator.stats().total("getupdates", 409)).isZero();
    }

    @Test
    void sigterm_finishesItsWorkAndHandsThePollingLeaseOverAtOnce() throws Exception {
        Map<String, String> env = RuntimeHarness.onPostgresAndRedis(RuntimeHarness.env(emulator, dataDir, TOKEN_A));
        long bot = new BotToken(TOKEN_A).botId();
        List<SimUser> users = users(bot, 3);
        env.put("INSTANCE_ID", "first");
        Process first = spawn(env, "first");
        Map<String, String> envSecond = new java.util.HashMap<>(env);
        envSecond.put("INSTANCE_ID", "second");
        envSecond.put("HTTP_PORT", Integer.toString(RuntimeHarness.freePort()));
        Process second = spawn(envSecond, "second");
        List<String> expected = new ArrayList<>(List.of("echo: /start"));
        IntStream.range(0, 20).forEach(i -> expected.add("echo: s" + i));
        IntStream.range(0, 10).forEach(i -> users.forEach(user -> say(user, bot, "s" + i)));
        await().atMost(Duration.ofSeconds(60)).until(() -> echoed(bot, users) >= users.size() * 11);
        Process holder = Files.readString(dataDir.resolve("first.log")).contains("polling for bot") ? first : second;
        String successor = holder == first ? "second" : "first";
        long stopStarted = System.nanoTime();
        holder.destroy();
        assertThat(holder.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("stopped within the shutdown timeout")
                .isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                Files.readString(dataDir.resolve(successor + ".log")).contains("polling for bot"));
        long takeoverMillis = (System.nanoTime() - stopStarted) / 1_000_000;
        // The lease was released, not left to expire (15 s).
        assertThat(takeoverMillis).isLessThan(12_000);
        IntStream.range(10, 20).forEach(i -> users.forEach(user -> say(user, bot, "s" + i)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> users.forEach(user ->
                assertThat(new LinkedHashSet<>(RuntimeHarness.textsSentTo(emulator, bot, user.id())))
                        .hasSize(expected.size())));
        assertThat(assertNothingLostInOrder(bot, users, expected)).as("a graceful stop sends nothing twice").isZero();
    }
}
