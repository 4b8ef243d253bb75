package dev.telescale.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.telescale.runtime.ingress.InboundUpdate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Dialect.class)
class UpdateJournalTest {
    private static final long BOT = 7001;

    @Parameter
    Dialect dialect;
    @TempDir
    Path tempDir;

    private TestDatabase testDatabase;
    private ManualClock clock;
    private UpdateJournal journal;

    @BeforeEach
    void openJournal() {
        testDatabase = TestDatabase.create(dialect, tempDir);
        clock = new ManualClock(1_700_000_000_000L);
        journal = new UpdateJournal(testDatabase.database(), clock);
    }

    @AfterEach
    void closeDatabase() {
        testDatabase.close();
    }

    private static InboundUpdate update(long updateId, String chatKey, int shard, long receivedAt) {
        return new InboundUpdate(BOT, updateId, chatKey, shard, "message", "{\"update_id\":" + updateId + "}", receivedAt, 0);
    }

    private static InboundUpdate update(long updateId) {
        return update(updateId, "c:" + (updateId % 3), (int) (updateId % 4), 1000 + updateId);
    }

    @Test
    void accept_newUpdates_returnsAllInInputOrder() {
        List<InboundUpdate> batch = List.of(update(5), update(3), update(4));

        assertThat(journal.accept(batch)).containsExactlyElementsOf(batch);
        assertThat(journal.countPending()).isEqualTo(3);
    }

    @Test
    void accept_duplicatesWithinBatch_keepsFirstOccurrenceOnly() {
        InboundUpdate first = update(10);
        InboundUpdate again = new InboundUpdate(BOT, 10, "c:other", 3, "edited_message", "{}", 99, 0);

        assertThat(journal.accept(List.of(first, update(11), again))).containsExactly(first, update(11));
        assertThat(journal.pendingForChat(BOT, first.chatKey(), 10)).containsExactly(first);
    }

    @Test
    void accept_duplicatesAcrossBatches_returnsOnlyNewOnes() {
        journal.accept(List.of(update(1), update(2)));
        journal.markDone(BOT, 1);

        assertThat(journal.accept(List.of(update(1), update(2), update(3)))).containsExactly(update(3));
        assertThat(journal.countPending()).isEqualTo(2);
    }

    @Test
    void accept_sameIdOfAnotherBot_isNotADuplicate() {
        journal.accept(List.of(update(1)));
        InboundUpdate otherBot = new InboundUpdate(BOT + 1, 1, "c:1", 1, "message", "{}", 5, 0);

        assertThat(journal.accept(List.of(otherBot))).containsExactly(otherBot);
    }

    @Test
    void accept_emptyList_returnsEmpty() {
        assertThat(journal.accept(List.of())).isEmpty();
    }

    @Test
    void accept_sameIdsFromEightThreads_acceptsEachExactlyOnce() throws Exception {
        List<InboundUpdate> all = LongStream.rangeClosed(1, 400).mapToObj(UpdateJournalTest::update).toList();
        Map<Long, AtomicInteger> acceptedTimes = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            for (int thread = 0; thread < 8; thread++) {
                List<InboundUpdate> shuffled = new ArrayList<>(all);
                Collections.shuffle(shuffled, new Random(thread));
                workers.add(threads.submit(() -> {
                    start.await();
                    for (int from = 0; from < shuffled.size(); from += 50) {
                        for (InboundUpdate accepted : journal.accept(shuffled.subList(from, from + 50))) {
                            acceptedTimes.computeIfAbsent(accepted.updateId(), id -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get();
            }
        }

        assertThat(acceptedTimes).hasSize(400);
        assertThat(acceptedTimes.values()).allSatisfy(times -> assertThat(times.get()).isEqualTo(1));
        assertThat(journal.countPending()).isEqualTo(400);
    }

    @Test
    void pending_ownedShards_oldestFirstThenBotAndUpdateId() {
        InboundUpdate late = update(1, "c:1", 0, 3000);
        InboundUpdate early = update(2, "c:2", 1, 1000);
        InboundUpdate tieHigherId = update(4, "c:3", 2, 2000);
        InboundUpdate tieLowerId = update(3, "c:4", 0, 2000);
        InboundUpdate otherShard = update(5, "c:5", 9, 500);
        journal.accept(List.of(late, early, tieHigherId, tieLowerId, otherShard));

        assertThat(journal.pending(List.of(0, 1, 2), 10)).containsExactly(early, tieLowerId, tieHigherId, late);
        assertThat(journal.pending(List.of(2, 0, 1, 0), 2)).containsExactly(early, tieLowerId);
        assertThat(journal.pending(List.of(), 10)).isEmpty();
    }

    @Test
    void pending_handledUpdates_areLeftOut() {
        journal.accept(List.of(update(1, "c:1", 0, 1), update(2, "c:1", 0, 2), update(3, "c:1", 0, 3)));
        journal.markDone(BOT, 1);
        journal.markFailed(BOT, 2, "boom");

        assertThat(journal.pending(List.of(0), 10)).extracting(InboundUpdate::updateId).containsExactly(3L);
    }

    @Test
    void pendingForChat_mixedChats_returnsThisChatInUpdateIdOrder() {
        journal.accept(List.of(update(9, "c:1", 0, 1), update(7, "c:1", 0, 5), update(8, "c:2", 0, 2), update(6, "c:1", 0, 9)));

        assertThat(journal.pendingForChat(BOT, "c:1", 10)).extracting(InboundUpdate::updateId).containsExactly(6L, 7L, 9L);
        assertThat(journal.pendingForChat(BOT, "c:1", 2)).extracting(InboundUpdate::updateId).containsExactly(6L, 7L);
    }

    @Test
    void markDone_insideRolledBackTransaction_leavesUpdatePending() {
        journal.accept(List.of(update(1)));

        assertThatThrownBy(() -> testDatabase.database().useTransaction(handle -> {
            assertThat(journal.markDone(handle, BOT, 1)).isTrue();
            throw new IllegalStateException("handler failed");
        })).isInstanceOf(IllegalStateException.class).hasMessage("handler failed");

        assertThat(journal.pendingForChat(BOT, update(1).chatKey(), 10)).containsExactly(update(1));
    }

    @Test
    void markDone_committed_dropsPayloadAndStopsBeingPending() {
        journal.accept(List.of(update(1)));

        assertThat(journal.markDone(BOT, 1)).isTrue();

        assertThat(journal.countPending()).isZero();
        assertThat(row(1)).containsEntry("status", 1L).containsEntry("handled_at", clock.millis());
        assertThat(row(1).get("payload")).isNull();
    }

    @Test
    void markDone_alreadyDone_returnsFalse() {
        journal.accept(List.of(update(1)));
        journal.markDone(BOT, 1);

        assertThat(journal.markDone(BOT, 1)).isFalse();
        assertThat(journal.markFailed(BOT, 1, "late failure")).isFalse();
        assertThat(row(1)).containsEntry("status", 1L);
    }

    @Test
    void markFailed_pending_keepsErrorAndDropsPayload() {
        journal.accept(List.of(update(1)));

        assertThat(journal.markFailed(BOT, 1, "x".repeat(5000))).isTrue();

        assertThat(row(1)).containsEntry("status", 2L);
        assertThat(row(1).get("payload")).isNull();
        assertThat((String) row(1).get("error")).hasSize(UpdateJournal.MAX_ERROR_LENGTH);
    }

    @Test
    void recordAttempt_repeated_returnsNewCount() {
        journal.accept(List.of(update(1)));

        assertThat(journal.recordAttempt(BOT, 1)).isEqualTo(1);
        assertThat(journal.recordAttempt(BOT, 1)).isEqualTo(2);
        assertThat(journal.pendingForChat(BOT, update(1).chatKey(), 1).getFirst().attempts()).isEqualTo(2);
    }

    @Test
    void recordAttempt_unknownUpdate_throwsStorageException() {
        assertThatThrownBy(() -> journal.recordAttempt(BOT, 404))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("404");
    }

    @Test
    void countPendingInShards_someShards_countsOnlyThose() {
        journal.accept(List.of(update(1, "c:1", 0, 1), update(2, "c:2", 1, 1), update(3, "c:3", 2, 1), update(4, "c:3", 2, 1)));
        journal.markDone(BOT, 4);

        assertThat(journal.countPendingInShards(List.of(1, 2))).isEqualTo(2);
        assertThat(journal.countPendingInShards(List.of())).isZero();
        assertThat(journal.countPending()).isEqualTo(3);
    }

    @Test
    void purgeHandledBefore_cutoff_deletesOnlyHandledBeforeIt() {
        journal.accept(List.of(update(1), update(2), update(3), update(4)));
        journal.markDone(BOT, 1);
        journal.markFailed(BOT, 2, "boom");
        long cutoff = clock.millis() + 1;
        clock.advance(10);
        journal.markDone(BOT, 3);

        assertThat(journal.purgeHandledBefore(cutoff)).isEqualTo(2);

        assertThat(journal.countPending()).isEqualTo(1);
        assertThat(journal.accept(List.of(update(1), update(3), update(4)))).containsExactly(update(1));
    }

    private Map<String, Object> row(long updateId) {
        return testDatabase.database().withHandle(handle -> handle.createQuery(
                        "SELECT status, payload, error, handled_at FROM inbound_updates WHERE bot_id = :botId AND update_id = :updateId")
                .bind("botId", BOT)
                .bind("updateId", updateId)
                .map((result, context) -> {
                    Map<String, Object> columns = new HashMap<>();
                    columns.put("status", result.getLong("status"));
                    columns.put("payload", result.getString("payload"));
                    columns.put("error", result.getString("error"));
                    columns.put("handled_at", result.getLong("handled_at"));
                    return columns;
                })
                .one());
    }
}
