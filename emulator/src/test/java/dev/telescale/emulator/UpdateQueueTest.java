package dev.telescale.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.updates.UpdateQueue;
import dev.telescale.emulator.updates.UpdateQueue.Pending;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pending-update queue on its own: getUpdates semantics and per-key webhook ordering. */
class UpdateQueueTest {
    private static final Duration TTL = Duration.ofHours(24);

    static final class MutableClock implements InstantSource {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }
    }

    private final MutableClock clock = new MutableClock();
    private final UpdateQueue queue = new UpdateQueue(clock, 7L);

    private static ObjectNode body(String type, String text) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject(type).put("text", text);
        return body;
    }

    private Pending message(String key, String text) {
        return queue.enqueue("message", body("message", text), key, TTL);
    }

    private static List<Long> ids(List<Pending> pending) {
        return pending.stream().map(Pending::updateId).toList();
    }

    @Test
    void enqueue_updateIds_growByOneAndComeFirstInJson() {
        Pending first = message("chat:1", "a");
        Pending second = message("chat:1", "b");
        assertThat(second.updateId()).isEqualTo(first.updateId() + 1);
        assertThat(first.json().fieldNames().next()).isEqualTo("update_id");
        assertThat(first.json().path("update_id").asLong()).isEqualTo(first.updateId());
    }

    @Test
    void poll_positiveOffset_confirmsEarlierUpdates() throws Exception {
        Pending a = message("chat:1", "a");
        Pending b = message("chat:1", "b");
        Pending c = message("chat:2", "c");
        assertThat(ids(queue.poll(0, 100, Duration.ZERO))).containsExactly(a.updateId(), b.updateId(), c.updateId());
        assertThat(ids(queue.poll(0, 100, Duration.ZERO))).as("offset 0 confirms nothing").hasSize(3);
        assertThat(ids(queue.poll(b.updateId(), 100, Duration.ZERO))).containsExactly(b.updateId(), c.updateId());
        assertThat(queue.poll(c.updateId() + 1, 100, Duration.ZERO)).isEmpty();
        assertThat(queue.pendingCount()).isZero();
    }

    @Test
    void poll_negativeOffset_keepsOnlyTheLastUpdates() throws Exception {
        for (int i = 0; i < 5; i++) {
            message("chat:1", "m" + i);
        }
        List<Pending> all = queue.snapshot();
        assertThat(ids(queue.poll(-2, 100, Duration.ZERO)))
                .containsExactly(all.get(3).updateId(), all.get(4).updateId());
        assertThat(queue.pendingCount()).isEqualTo(2);
    }

    @Test
    void poll_limit_returnsOldestFirst() throws Exception {
        for (int i = 0; i < 5; i++) {
            message("chat:" + i, "m" + i);
        }
        List<Pending> all = queue.snapshot();
        assertThat(ids(queue.poll(0, 2, Duration.ZERO))).containsExactly(all.get(0).updateId(), all.get(1).updateId());
        assertThat(queue.pendingCount()).isEqualTo(5);
    }

    @Test
    void poll_timeout_waitsForAnUpdate() throws Exception {
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            message("chat:1", "late");
        });
        List<Pending> result = queue.poll(0, 100, Duration.ofSeconds(5));
        producer.join();
        assertThat(result).hasSize(1);
    }

    @Test
    void enqueue_defaultAllowedUpdates_excludeMessageReaction() {
        assertThat(queue.enqueue("message_reaction", body("message_reaction", "r"), "reaction:1", TTL)).isNull();
        assertThat(queue.enqueue("message_reaction_count", body("message_reaction_count", "r"), "reaction:1", TTL))
                .isNull();
        assertThat(queue.enqueue("chat_member", body("chat_member", "r"), "member:1", TTL)).isNull();
        assertThat(message("chat:1", "m")).isNotNull();

        queue.setAllowedTypes(Set.of("message_reaction"));
        assertThat(queue.enqueue("message_reaction", body("message_reaction", "r"), "reaction:1", TTL)).isNotNull();
        assertThat(message("chat:1", "m")).as("message is no longer named").isNull();

        queue.setAllowedTypes(Set.of());
        assertThat(message("chat:1", "m")).isNotNull();
        assertThat(queue.enqueue("message_reaction", body("message_reaction", "r"), "reaction:1", TTL)).isNull();
    }

    @Test
    void takeForDelivery_sameKey_onlyHeadInFlightWhileOtherKeysProceed() {
        Pending a1 = message("chat:A", "a1");
        Pending a2 = message("chat:A", "a2");
        Pending b1 = message("chat:B", "b1");
        Pending b2 = message("chat:B", "b2");
        assertThat(queue.takeForDelivery(10)).containsExactly(a1, b1);
        assertThat(queue.takeForDelivery(10)).as("heads still in flight").isEmpty();
        queue.deliverySucceeded(b1);
        assertThat(queue.takeForDelivery(10)).containsExactly(b2);
        queue.deliverySucceeded(a1);
        assertThat(queue.takeForDelivery(10)).containsExactly(a2);
        queue.deliverySucceeded(a2);
        queue.deliverySucceeded(b2);
        assertThat(queue.pendingCount()).isZero();
    }

    @Test
    void takeForDelivery_maxKeys_limitsKeysInFlight() {
        Pending a1 = message("chat:A", "a1");
        Pending b1 = message("chat:B", "b1");
        assertThat(queue.takeForDelivery(1)).containsExactly(a1);
        assertThat(queue.takeForDelivery(1)).isEmpty();
        queue.deliverySucceeded(a1);
        assertThat(queue.takeForDelivery(1)).containsExactly(b1);
    }

    @Test
    void deliveryFailed_blocksOnlyItsKeyUntilRetryTime() {
        Pending a1 = message("chat:A", "a1");
        message("chat:A", "a2");
        Pending b1 = message("chat:B", "b1");
        Pending b2 = message("chat:B", "b2");
        assertThat(queue.takeForDelivery(10)).containsExactly(a1, b1);
        queue.deliveryFailed(a1, clock.millis() + 1_000);
        queue.deliverySucceeded(b1);
        assertThat(queue.takeForDelivery(10)).containsExactly(b2);
        clock.advance(Duration.ofMillis(999));
        assertThat(queue.takeForDelivery(10)).as("A still backs off").isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(queue.takeForDelivery(10)).as("A's head is retried, not A's second update").containsExactly(a1);
    }

    @Test
    void pendingCount_afterTtl_dropsExpiredUpdates() throws Exception {
        queue.enqueue("callback_query", body("callback_query", "q"), "callback:1", Duration.ofSeconds(150));
        message("chat:1", "m");
        assertThat(queue.pendingCount()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(151));
        assertThat(queue.pendingCount()).isEqualTo(1);
        clock.advance(Duration.ofHours(24));
        assertThat(queue.pendingCount()).isZero();
        assertThat(queue.poll(0, 100, Duration.ZERO)).isEmpty();
        assertThat(queue.takeForDelivery(10)).isEmpty();
    }

    @Test
    void dropAll_removesEverything() throws Exception {
        message("chat:1", "a");
        message("chat:2", "b");
        queue.dropAll();
        assertThat(queue.pendingCount()).isZero();
        assertThat(queue.takeForDelivery(10)).isEmpty();
    }
}
