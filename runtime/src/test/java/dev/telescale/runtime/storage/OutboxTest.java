package dev.telescale.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.telescale.runtime.ingress.Partitioning;
import dev.telescale.runtime.outbound.OutboundMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Dialect.class)
class OutboxTest {
    private static final long BOT = 42;
    private static final long NOW = 1_700_000_000_000L;

    @Parameter
    Dialect dialect;
    @TempDir
    Path tempDir;

    private TestDatabase testDatabase;
    private ManualClock clock;
    private Outbox outbox;

    @BeforeEach
    void openOutbox() {
        testDatabase = TestDatabase.create(dialect, tempDir);
        clock = new ManualClock(NOW);
        outbox = new Outbox(testDatabase.database(), clock);
    }

    @AfterEach
    void closeDatabase() {
        testDatabase.close();
    }

    private static OutboundMessage message(long chatId, int shard, int lane, String text) {
        return new OutboundMessage(0, BOT, chatId, shard, lane, "sendMessage",
                "{\"chat_id\":" + chatId + ",\"text\":\"" + text + "\"}", 0, NOW, "test:" + text);
    }

    private static OutboundMessage conversation(long chatId, String text) {
        return message(chatId, (int) (chatId % 4), OutboundMessage.CONVERSATION, text);
    }

    private static List<String> texts(List<OutboundMessage> messages) {
        return messages.stream().map(OutboundMessage::origin).toList();
    }

    @Test
    void enqueue_single_returnsMessageWithGrowingDatabaseIds() {
        OutboundMessage first = outbox.enqueue(conversation(1, "a"));
        OutboundMessage second = outbox.enqueue(conversation(1, "b"));

        assertThat(first.id()).isPositive();
        assertThat(second.id()).isGreaterThan(first.id());
        assertThat(second).isEqualTo(conversation(1, "b").withId(second.id()));
        assertThat(outbox.nextForChat(BOT, 1, 10)).containsExactly(first, second);
    }

    @Test
    void enqueue_batchInCallerTransaction_keepsListOrder() {
        testDatabase.database().useTransaction(handle ->
                outbox.enqueue(handle, List.of(conversation(1, "a"), conversation(1, "b"), conversation(1, "c"))));

        List<OutboundMessage> queued = outbox.nextForChat(BOT, 1, 10);
        assertThat(texts(queued)).containsExactly("test:a", "test:b", "test:c");
        assertThat(queued).extracting(OutboundMessage::id).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void enqueue_callerTransactionRolledBack_leavesNothing() {
        assertThatThrownBy(() -> testDatabase.database().useTransaction(handle -> {
            outbox.enqueue(handle, List.of(conversation(1, "a")));
            throw new IllegalStateException("handler failed");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(outbox.countPending(OutboundMessage.CONVERSATION)).isZero();
    }

    @Test
    void heads_severalChats_oneHeadPerChatInIdOrder() {
        OutboundMessage chat1First = outbox.enqueue(message(1, 0, 0, "1a"));
        OutboundMessage chat2First = outbox.enqueue(message(2, 0, 0, "2a"));
        outbox.enqueue(message(1, 0, 0, "1b"));
        OutboundMessage chat3First = outbox.enqueue(message(3, 1, 0, "3a"));
        outbox.enqueue(message(2, 0, 0, "2b"));

        assertThat(outbox.heads(List.of(0, 1), NOW, 10)).containsExactly(chat1First, chat2First, chat3First);
    }

    @Test
    void heads_afterMarkSent_nextOfThatChatBecomesHead() {
        OutboundMessage first = outbox.enqueue(message(1, 0, 0, "1a"));
        OutboundMessage second = outbox.enqueue(message(1, 0, 0, "1b"));

        outbox.markSent(first.id());

        assertThat(outbox.heads(List.of(0), NOW, 10)).containsExactly(second);
    }

    @Test
    void heads_headNotDue_holdsBackWholeChat() {
        OutboundMessage delayed = outbox.enqueue(message(1, 0, 0, "1a"));
        outbox.enqueue(message(1, 0, 0, "1b"));
        OutboundMessage other = outbox.enqueue(message(2, 0, 0, "2a"));

        outbox.reschedule(delayed.id(), NOW + 5_000, 1);

        assertThat(outbox.heads(List.of(0), NOW, 10)).containsExactly(other);
        assertThat(outbox.heads(List.of(0), NOW + 5_000, 10)).containsExactly(delayed.retriedAt(NOW + 5_000), other);
    }

    @Test
    void heads_bothLanes_conversationHeadsBeforeBroadcastHeads() {
        OutboundMessage broadcast1 = outbox.enqueue(message(1, 0, OutboundMessage.BROADCAST, "b1"));
        OutboundMessage broadcast2 = outbox.enqueue(message(2, 1, OutboundMessage.BROADCAST, "b2"));
        OutboundMessage reply3 = outbox.enqueue(message(3, 1, OutboundMessage.CONVERSATION, "r3"));
        OutboundMessage reply4 = outbox.enqueue(message(4, 0, OutboundMessage.CONVERSATION, "r4"));

        assertThat(outbox.heads(List.of(0, 1), NOW, 10)).containsExactly(reply3, reply4, broadcast1, broadcast2);
        assertThat(outbox.heads(List.of(0, 1), NOW, 3)).containsExactly(reply3, reply4, broadcast1);
    }

    @Test
    void heads_broadcastQueuedFirst_staysAheadOfLaterConversationInSameChat() {
        OutboundMessage broadcast = outbox.enqueue(message(1, 0, OutboundMessage.BROADCAST, "b1"));
        outbox.enqueue(message(1, 0, OutboundMessage.CONVERSATION, "r1"));

        assertThat(outbox.heads(List.of(0), NOW, 10)).containsExactly(broadcast);
    }

    @Test
    void markSent_manyConcurrentCallers_everyRowGoneWhenEachCallReturns() throws InterruptedException {
        List<OutboundMessage> queued = new ArrayList<>();
        for (long chat = 1; chat <= 300; chat++) {
            queued.add(outbox.enqueue(message(chat, 0, 0, "m" + chat)));
        }
        java.util.Set<Long> stillQueuedAfterReturn = java.util.concurrent.ConcurrentHashMap.newKeySet();

        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (OutboundMessage message : queued) {
                threads.execute(() -> {
                    outbox.markSent(message.id());
                    if (outbox.nextForChat(BOT, message.chatId(), 1).stream().anyMatch(m -> m.id() == message.id())) {
                        stillQueuedAfterReturn.add(message.id());
                    }
                });
            }
        }

        assertThat(stillQueuedAfterReturn).isEmpty();
        assertThat(outbox.countPending(OutboundMessage.CONVERSATION)).isZero();
    }

    @Test
    void heads_everyShardOwned_sameHeadsAsThePerShardQuery() {
        List<OutboundMessage> expectedHeads = new ArrayList<>();
        for (long chat = 1; chat <= 200; chat++) {
            int shard = (int) (chat * 7 % Partitioning.SHARDS);
            int lane = chat % 5 == 0 ? OutboundMessage.BROADCAST : OutboundMessage.CONVERSATION;
            OutboundMessage head = outbox.enqueue(message(chat, shard, lane, "h" + chat));
            outbox.enqueue(message(chat, shard, lane, "t" + chat));
            if (chat % 11 == 0) {
                outbox.reschedule(head.id(), NOW + 5_000, 1); // not due: holds its chat back
            } else {
                expectedHeads.add(head);
            }
        }
        List<Integer> allShards = IntStream.range(0, Partitioning.SHARDS).boxed().toList();
        List<Integer> allButOne = allShards.subList(1, Partitioning.SHARDS);

        List<OutboundMessage> heads = outbox.heads(allShards, NOW, 1_000);
        List<OutboundMessage> perShard = new ArrayList<>(outbox.heads(allButOne, NOW, 1_000));
        perShard.addAll(outbox.heads(List.of(0), NOW, 1_000));
        perShard.sort(Comparator.comparingInt(OutboundMessage::lane).thenComparingLong(OutboundMessage::id));

        assertThat(heads).containsExactlyInAnyOrderElementsOf(expectedHeads).containsExactlyElementsOf(perShard);
        assertThat(outbox.heads(allShards, NOW, 7)).containsExactlyElementsOf(perShard.subList(0, 7));
    }

    @Test
    void heads_otherShardsAndLimit_returnsOnlyOwnedUpToLimit() {
        for (long chat = 1; chat <= 6; chat++) {
            outbox.enqueue(message(chat, (int) (chat % 3), 0, "m" + chat));
        }

        assertThat(texts(outbox.heads(List.of(1), NOW, 10))).containsExactly("test:m1", "test:m4");
        assertThat(texts(outbox.heads(List.of(1, 2), NOW, 3))).containsExactly("test:m1", "test:m2", "test:m4");
        assertThat(outbox.heads(List.of(), NOW, 10)).isEmpty();
    }

    @Test
    void nextForChat_mixedChats_returnsThisChatInIdOrder() {
        outbox.enqueue(conversation(1, "a"));
        outbox.enqueue(conversation(2, "x"));
        outbox.enqueue(conversation(1, "b"));
        outbox.enqueue(conversation(1, "c"));

        assertThat(texts(outbox.nextForChat(BOT, 1, 2))).containsExactly("test:a", "test:b");
    }

    @Test
    void reschedule_message_updatesNotBeforeAndAttempts() {
        OutboundMessage queued = outbox.enqueue(conversation(1, "a"));

        outbox.reschedule(queued.id(), NOW + 30_000, 3);

        OutboundMessage rescheduled = outbox.nextForChat(BOT, 1, 1).getFirst();
        assertThat(rescheduled.notBeforeMillis()).isEqualTo(NOW + 30_000);
        assertThat(rescheduled.attempts()).isEqualTo(3);
    }

    @Test
    void markFailed_message_movesRowToOutboxFailed() {
        OutboundMessage failed = outbox.enqueue(conversation(1, "a"));
        OutboundMessage next = outbox.enqueue(conversation(1, "b"));
        clock.advance(1_000);

        outbox.markFailed(failed.id(), "Forbidden: bot was blocked by the user");

        assertThat(outbox.nextForChat(BOT, 1, 10)).containsExactly(next);
        var moved = testDatabase.database().withHandle(handle -> handle.createQuery(
                        "SELECT id, chat_id, method, payload, origin, error, failed_at, created_at FROM outbox_failed")
                .mapToMap().list());
        assertThat(moved).hasSize(1);
        assertThat(((Number) moved.getFirst().get("id")).longValue()).isEqualTo(failed.id());
        assertThat(moved.getFirst())
                .containsEntry("payload", failed.payloadJson())
                .containsEntry("origin", "test:a")
                .containsEntry("error", "Forbidden: bot was blocked by the user");
        assertThat(((Number) moved.getFirst().get("failed_at")).longValue()).isEqualTo(NOW + 1_000);
        assertThat(((Number) moved.getFirst().get("created_at")).longValue()).isEqualTo(NOW);
    }

    @Test
    void countPending_perLane_countsEachLane() {
        outbox.enqueue(message(1, 0, OutboundMessage.CONVERSATION, "a"));
        outbox.enqueue(message(2, 0, OutboundMessage.BROADCAST, "b"));
        outbox.enqueue(message(3, 0, OutboundMessage.BROADCAST, "c"));

        assertThat(outbox.countPending(OutboundMessage.CONVERSATION)).isEqualTo(1);
        assertThat(outbox.countPending(OutboundMessage.BROADCAST)).isEqualTo(2);
    }

    @Test
    void oldestPendingAgeMillis_queuedAndEmpty_measuresFromEnqueueTime() {
        assertThat(outbox.oldestPendingAgeMillis(NOW)).isZero();
        OutboundMessage oldest = outbox.enqueue(conversation(1, "a"));
        clock.advance(2_000);
        outbox.enqueue(conversation(2, "b"));

        assertThat(outbox.oldestPendingAgeMillis(NOW + 5_000)).isEqualTo(5_000);
        outbox.markSent(oldest.id());
        assertThat(outbox.oldestPendingAgeMillis(NOW + 5_000)).isEqualTo(3_000);
    }
}
