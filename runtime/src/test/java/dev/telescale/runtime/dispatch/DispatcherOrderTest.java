package dev.telescale.runtime.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.app.UpdateContext;
import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.ingress.InboundUpdate;
import dev.telescale.runtime.ingress.Partitioning;
import dev.telescale.runtime.storage.Database;
import dev.telescale.runtime.storage.Outbox;
import dev.telescale.runtime.storage.UpdateJournal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-chat order when older updates exist only in the journal, and lanes that survive failures. */
class DispatcherOrderTest {
    private static final BotToken TOKEN = new BotToken("700001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
    private static final Set<Integer> ALL = IntStream.range(0, Partitioning.SHARDS).boxed().collect(Collectors.toSet());

    @TempDir
    Path dir;
    private Database database;
    private UpdateJournal journal;
    private Dispatcher dispatcher;
    private final List<Long> handled = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        database = Database.open("sqlite:" + dir.resolve("t.db"), 4);
        database.migrate(List.of());
        journal = new UpdateJournal(database, InstantSource.system());
        BotApplication app = new BotApplication() {
            @Override
            public String name() {
                return "order";
            }

            @Override
            public void handle(UpdateContext context) {
                handled.add(context.update().updateId());
            }
        };
        dispatcher = new Dispatcher(database, journal, new Outbox(database), List.of(new HostedBot(TOKEN, app)),
                () -> ALL, () -> { }, DispatchListener.NONE, UserDirectory.NONE, InstantSource.system(),
                new Dispatcher.Settings(20_000, 3, Duration.ofMillis(50), Duration.ofHours(1), 2_000, 16));
    }

    @AfterEach
    void close() {
        dispatcher.close();
        database.close();
    }

    private static InboundUpdate update(long id, long chat) {
        String chatKey = "c:" + chat;
        String json = "{\"update_id\":" + id + ",\"message\":{\"message_id\":" + id + ",\"date\":1,\"chat\":{\"id\":"
                + chat + ",\"type\":\"private\"},\"from\":{\"id\":" + chat + ",\"is_bot\":false,\"first_name\":\"U\"},"
                + "\"text\":\"m" + id + "\"}}";
        return new InboundUpdate(TOKEN.botId(), id, chatKey, Partitioning.shardOf(TOKEN.botId(), chatKey), "message",
                json, System.currentTimeMillis(), 0);
    }

    @Test
    void submit_newerUpdateWhileOlderOnlyInTheJournal_runsTheOlderFirst() {
        List<InboundUpdate> older = List.of(update(5, 42), update(6, 42), update(7, 42));
        InboundUpdate newer = update(8, 42);
        journal.accept(older);
        journal.accept(List.of(newer));

        // The scanner is not started (a restart whose first scan has not come yet): only 8 is handed over.
        dispatcher.submit(List.of(newer));

        await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 4);
        assertThat(handled).containsExactly(5L, 6L, 7L, 8L);
        assertThat(journal.countPending()).isZero();
    }

    @Test
    void submit_otherChatsAreNotHeldBackByAnOlderUpdateElsewhere() {
        journal.accept(List.of(update(5, 42)));
        InboundUpdate otherChat = update(6, 43);
        journal.accept(List.of(otherChat));

        dispatcher.submit(List.of(otherChat));

        await().atMost(Duration.ofSeconds(10)).until(() -> handled.contains(6L));
        assertThat(handled).containsExactly(6L);
    }
}
