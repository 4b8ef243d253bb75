package dev.telescale.runtime.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.EmulatorConfig;
import dev.telescale.emulator.FloodLimits;
import dev.telescale.emulator.faults.FaultSettings;
import dev.telescale.emulator.faults.LatencyDistribution;
import dev.telescale.emulator.sim.Simulator;
import dev.telescale.emulator.state.InboxEvent;
import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.ingress.Partitioning;
import dev.telescale.runtime.telegram.ApiResult;
import dev.telescale.runtime.telegram.BotApiClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SenderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BotToken TOKEN = new BotToken("123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
    private static final long BOT = TOKEN.botId();
    private static final List<Integer> ALL_SHARDS = IntStream.range(0, Partitioning.SHARDS).boxed().toList();
    private static final SendLimits UNLIMITED = new SendLimits(100_000, 100_000, 100_000, 100_000, 1_000_000, 1.0,
            Duration.ZERO);
    private static final SenderSettings FAST_RETRIES = SenderSettings.defaults()
            .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200));

    private Emulator emulator;
    private Simulator sim;
    private BotApiClient client;
    private final InMemoryOutboundQueue queue = new InMemoryOutboundQueue();
    private final Queue<String> events = new ConcurrentLinkedQueue<>();
    private Sender sender;

    private final DeliveryListener listener = new DeliveryListener() {
        @Override
        public void onSent(OutboundMessage message, JsonNode result) {
            events.add("sent " + message.id());
        }

        @Override
        public void onUndeliverable(OutboundMessage message, ApiResult.Unreachable why) {
            events.add("undeliverable " + message.id() + " " + why.reason());
        }

        @Override
        public void onRejected(OutboundMessage message, ApiResult.Rejected why) {
            events.add("rejected " + message.id() + " " + why.description());
        }

        @Override
        public void onGaveUp(OutboundMessage message, String reason) {
            events.add("gave up " + message.id());
        }
    };

    private void start(FloodLimits emulatorFlood, SendLimits limits, SenderSettings settings) {
        emulator = Emulator.start(EmulatorConfig.defaults().withFlood(emulatorFlood));
        sim = emulator.sim();
        sim.registerBot(TOKEN.value());
        client = new BotApiClient(emulator.baseUrl(), Duration.ofSeconds(5));
        sender = new Sender(queue, client, botId -> botId == BOT ? TOKEN : null,
                new LocalSendRateLimiter(limits, InstantSource.system()), () -> ALL_SHARDS, InstantSource.system(),
                listener, settings);
        sender.start();
    }

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.stop(Duration.ofSeconds(2));
        }
        if (client != null) {
            client.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private List<Long> users(int count) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long id = sim.createUser("User" + i, null, null, null, false).id();
            sim.start(id, BOT, null);
            ids.add(id);
        }
        return ids;
    }

    private OutboundMessage enqueueText(long chatId, int lane, String text) {
        ObjectNode params = JSON.createObjectNode();
        params.put("chat_id", chatId);
        params.put("text", text);
        return queue.enqueue(BOT, chatId, lane, "sendMessage", params.toString());
    }

    /** The texts the bot sent into a user's chat, in the order the emulator stored them. */
    private List<String> inboxTexts(long userId) {
        return sim.inbox(userId, BOT, 0, 0).stream()
                .filter(event -> event.event().equals("message"))
                .map(event -> event.payload().path("text").asText())
                .filter(text -> !text.isEmpty())
                .toList();
    }

    private static List<String> expectedTexts(long userId, int count) {
        return IntStream.range(0, count).mapToObj(i -> userId + "/" + i).toList();
    }

    private void enqueueRoundRobin(List<Long> chats, int perChat) {
        for (int i = 0; i < perChat; i++) {
            for (long chat : chats) {
                enqueueText(chat, OutboundMessage.CONVERSATION, chat + "/" + i);
            }
        }
        sender.wake();
    }

    @Test
    void send_200MessagesTo20Chats_arriveInPerChatOrder() {
        start(FloodLimits.off(), UNLIMITED, FAST_RETRIES);
        List<Long> chats = users(20);

        enqueueRoundRobin(chats, 10);

        await().atMost(Duration.ofSeconds(30)).until(() -> queue.sentIds().size() == 200);
        for (long chat : chats) {
            assertThat(inboxTexts(chat)).containsExactlyElementsOf(expectedTexts(chat, 10));
        }
        assertThat(sender.stats().sent()).isEqualTo(200);
        assertThat(sender.stats().failed()).isZero();
    }

    @Test
    void send_withServerErrorsBadGatewaysAndResets_everyMessageArrivesOnceInOrder() {
        start(FloodLimits.off(), UNLIMITED, FAST_RETRIES);
        List<Long> chats = users(10);
        emulator.faults().update(new FaultSettings(LatencyDistribution.none(), 0.05, 0.05, 0.05, 0, 1, 0));

        enqueueRoundRobin(chats, 10);

        await().atMost(Duration.ofSeconds(60)).until(() -> queue.sentIds().size() == 100);
        int duplicates = 0;
        for (long chat : chats) {
            List<String> texts = inboxTexts(chat);
            List<String> firstOccurrences = List.copyOf(new LinkedHashSet<>(texts));
            duplicates += texts.size() - firstOccurrences.size();
            assertThat(firstOccurrences).containsExactlyElementsOf(expectedTexts(chat, 10));
        }
        SenderStats stats = sender.stats();
        System.out.printf("faults: %d sent, %d retried, %d duplicates in the inbox%n", stats.sent(), stats.retried(),
                duplicates);
        assertThat(stats.retried()).isPositive();
        assertThat(stats.failed()).isZero();
        // the emulator resets connections before it executes the call, so no retry can duplicate
        assertThat(duplicates).isZero();
        assertThat(queue.sentIds()).doesNotHaveDuplicates();
    }

    @Test
    void send_withTelegramFloodLimitsOnBothSides_arrivesInOrderWithAlmostNo429() {
        start(FloodLimits.telegramDefaults(), SendLimits.telegramDefaults(), SenderSettings.defaults());
        List<Long> chats = users(3);

        enqueueRoundRobin(chats, 20);

        await().atMost(Duration.ofSeconds(60)).until(() -> queue.sentIds().size() == 60);
        for (long chat : chats) {
            assertThat(inboxTexts(chat)).containsExactlyElementsOf(expectedTexts(chat, 20));
        }
        System.out.printf("flood: %s%n", sender.stats());
        assertThat(sender.stats().rateLimited429()).isLessThan(3);
    }

    @Test
    void send_429Storm_delaysButLosesNothing() {
        start(FloodLimits.off(), UNLIMITED, FAST_RETRIES);
        List<Long> chats = users(4);
        emulator.faults().update(new FaultSettings(LatencyDistribution.none(), 0, 0, 0, 1.0, 1, 0));

        enqueueRoundRobin(chats, 5);
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.stats().rateLimited429() >= 4);
        emulator.faults().update(FaultSettings.none());

        await().atMost(Duration.ofSeconds(30)).until(() -> queue.sentIds().size() == 20);
        for (long chat : chats) {
            assertThat(inboxTexts(chat)).containsExactlyElementsOf(expectedTexts(chat, 5));
        }
        assertThat(sender.stats().failed()).isZero();
    }

    @Test
    void send_blockedUser_isUndeliverableAndOtherChatsGoOn() {
        start(FloodLimits.off(), UNLIMITED, FAST_RETRIES);
        List<Long> chats = users(3);
        long blocked = chats.get(0);
        sim.setBlocked(blocked, BOT, true);

        OutboundMessage toBlocked = enqueueText(blocked, OutboundMessage.CONVERSATION, "hello?");
        enqueueRoundRobin(chats.subList(1, 3), 3);

        await().atMost(Duration.ofSeconds(10)).until(() -> queue.sentIds().size() == 6);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> events.contains("undeliverable " + toBlocked.id() + " BLOCKED"));
        assertThat(queue.failures()).containsKey(toBlocked.id());
        for (long chat : chats.subList(1, 3)) {
            assertThat(inboxTexts(chat)).containsExactlyElementsOf(expectedTexts(chat, 3));
        }
    }

    @Test
    void send_emptyText_isRejectedAndTheChatsNextMessageIsSent() {
        start(FloodLimits.off(), UNLIMITED, FAST_RETRIES);
        long chat = users(1).get(0);

        OutboundMessage empty = enqueueText(chat, OutboundMessage.CONVERSATION, "");
        OutboundMessage next = enqueueText(chat, OutboundMessage.CONVERSATION, "after the empty one");
        sender.wake();

        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("sent " + next.id()));
        assertThat(events).contains("rejected " + empty.id() + " Bad Request: message text is empty");
        assertThat(List.copyOf(events)).containsSubsequence("rejected " + empty.id()
                + " Bad Request: message text is empty", "sent " + next.id());
        assertThat(inboxTexts(chat)).containsExactly("after the empty one");
    }

    @Test
    void send_persistentServerErrors_giveUpAfterTheDeadline() {
        start(FloodLimits.off(), UNLIMITED, FAST_RETRIES.withRetryDeadline(Duration.ofMillis(300)));
        long chat = users(1).get(0);
        emulator.faults().update(new FaultSettings(LatencyDistribution.none(), 1.0, 0, 0, 0, 1, 0));

        OutboundMessage doomed = enqueueText(chat, OutboundMessage.CONVERSATION, "never");
        sender.wake();

        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("gave up " + doomed.id()));
        assertThat(queue.failures().get(doomed.id())).startsWith("gave up after").contains("500");
        assertThat(sender.stats().retried()).isPositive();
    }

    @Test
    void send_conversationOvertakesBroadcastBacklog() {
        // the bot may send 10/s, broadcasts half of that: 40 broadcasts take about 7 s
        SendLimits limits = new SendLimits(10, 10, 100, 100, 1_000, 0.5, Duration.ZERO);
        start(FloodLimits.off(), limits, FAST_RETRIES);
        List<Long> chats = users(25);
        List<Long> audience = chats.subList(0, 20);
        List<Long> talkers = chats.subList(20, 25);
        for (int i = 0; i < 2; i++) {
            for (long chat : audience) {
                enqueueText(chat, OutboundMessage.BROADCAST, chat + "/" + i);
            }
        }
        sender.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.sentIds().size() >= 5);

        List<OutboundMessage> replies = talkers.stream()
                .map(chat -> enqueueText(chat, OutboundMessage.CONVERSATION, "reply to " + chat)).toList();
        sender.wake();

        await().atMost(Duration.ofSeconds(5)).until(() -> replies.stream()
                .allMatch(reply -> events.contains("sent " + reply.id())));
        assertThat(queue.pendingCount()).as("broadcasts still queued when every reply was sent").isGreaterThan(20);
        await().atMost(Duration.ofSeconds(30)).until(() -> queue.pendingCount() == 0);
        for (long chat : audience) {
            assertThat(inboxTexts(chat)).containsExactlyElementsOf(expectedTexts(chat, 2));
        }
    }

    @Test
    void stop_finishesInFlightCallsAndTakesNoNewOnes() {
        start(FloodLimits.off(), UNLIMITED, FAST_RETRIES);
        long chat = users(1).get(0);
        emulator.faults().update(new FaultSettings(new LatencyDistribution("fixed", 300, 0, 300), 0, 0, 0, 0, 1, 0));
        OutboundMessage first = enqueueText(chat, OutboundMessage.CONVERSATION, "first");
        enqueueText(chat, OutboundMessage.CONVERSATION, "second");
        sender.wake();
        await().atMost(Duration.ofSeconds(5)).until(() -> sender.stats().inFlight() == 1);

        sender.stop(Duration.ofSeconds(5));

        assertThat(queue.sentIds()).containsExactly(first.id());
        assertThat(queue.pendingCount()).isEqualTo(1);
        assertThat(sender.stats().inFlight()).isZero();
        List<InboxEvent> inbox = sim.inbox(chat, BOT, 0, 0);
        assertThat(inbox).hasSize(1);
    }
}
