package dev.telescale.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The contract of {@link PubSub}, run against every implementation. */
@SuppressWarnings("try") // subscriptions are held open by try-with-resources, not referenced
abstract class PubSubContract {
    abstract SharedState publisherSide();

    /** The state of a second instance (in process: the same one). */
    abstract SharedState subscriberSide();

    final String channel = "channel-" + UUID.randomUUID();

    @Test
    void publish_toSubscriberOfOtherInstance_deliversAllInOrder() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = subscriberSide().pubSub().subscribe(channel, received::add)) {
            List<String> sent = IntStream.range(0, 200).mapToObj(i -> "m" + i).toList();
            sent.forEach(message -> publisherSide().pubSub().publish(channel, message));
            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == sent.size());
            assertThat(received).containsExactlyElementsOf(sent);
        }
    }

    @Test
    void publish_twoSubscribers_bothReceive() throws Exception {
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        try (AutoCloseable one = subscriberSide().pubSub().subscribe(channel, first::add);
                AutoCloseable two = publisherSide().pubSub().subscribe(channel, second::add)) {
            publisherSide().pubSub().publish(channel, "hello");
            await().atMost(Duration.ofSeconds(5)).until(() -> first.size() == 1 && second.size() == 1);
        }
        assertThat(first).containsExactly("hello");
        assertThat(second).containsExactly("hello");
    }

    @Test
    void publish_otherChannel_notDelivered() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = subscriberSide().pubSub().subscribe(channel, received::add)) {
            publisherSide().pubSub().publish(channel + "-other", "not for you");
            publisherSide().pubSub().publish(channel, "for you");
            await().atMost(Duration.ofSeconds(5)).until(() -> !received.isEmpty());
            Thread.sleep(100);
            assertThat(received).containsExactly("for you");
        }
    }

    @Test
    void publish_afterUnsubscribe_notDelivered() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        List<String> witness = new CopyOnWriteArrayList<>();
        AutoCloseable subscription = subscriberSide().pubSub().subscribe(channel, received::add);
        try (AutoCloseable other = subscriberSide().pubSub().subscribe(channel, witness::add)) {
            subscription.close();
            publisherSide().pubSub().publish(channel, "late");
            await().atMost(Duration.ofSeconds(5)).until(() -> witness.size() == 1);
            Thread.sleep(100);
            assertThat(received).isEmpty();
        }
    }

    @Test
    void subscribe_listenerThrows_isCountedAndNeitherPublisherNorOthersSuffer() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        long failuresBefore = subscriberSide().counters().listenerFailures();
        try (AutoCloseable failing = subscriberSide().pubSub().subscribe(channel, message -> {
                    throw new IllegalStateException("listener bug");
                });
                AutoCloseable healthy = subscriberSide().pubSub().subscribe(channel, received::add)) {
            publisherSide().pubSub().publish(channel, "one");
            publisherSide().pubSub().publish(channel, "two");
            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2
                    && subscriberSide().counters().listenerFailures() >= failuresBefore + 2);
        }
        assertThat(received).containsExactly("one", "two");
    }

    @Test
    void subscribe_listener_runsOnAVirtualThreadNotThePublisherOrIoThread() throws Exception {
        List<Thread> threads = new CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = subscriberSide().pubSub().subscribe(channel, message -> threads.add(Thread.currentThread()))) {
            publisherSide().pubSub().publish(channel, "where am I");
            await().atMost(Duration.ofSeconds(5)).until(() -> !threads.isEmpty());
        }
        assertThat(threads.getFirst()).isNotSameAs(Thread.currentThread());
        assertThat(threads.getFirst().isVirtual()).isTrue();
    }
}
