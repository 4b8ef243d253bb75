package dev.telescale.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Dialect.class)
class UserStoreTest {
    @Parameter
    Dialect dialect;
    @TempDir
    Path tempDir;

    private TestDatabase testDatabase;
    private UserStore users;

    @BeforeEach
    void openStore() {
        testDatabase = TestDatabase.create(dialect, tempDir);
        users = new UserStore(testDatabase.database(), new ManualClock(1_700_000_000_000L));
    }

    @AfterEach
    void closeDatabase() {
        testDatabase.close();
    }

    @Test
    void upsertUsers_newAndChanged_insertsThenOverwrites() {
        TelegramUser alice = new TelegramUser(1, "Alice", null, "alice", "en", false);
        TelegramUser bob = new TelegramUser(2, "Bob", "Builder", null, null, true);
        users.upsertUsers(List.of(alice, bob));

        TelegramUser renamed = new TelegramUser(1, "Alicia", "Smith", null, "de", true);
        users.upsertUsers(List.of(renamed));

        assertThat(users.find(1)).contains(renamed);
        assertThat(users.find(2)).contains(bob);
        assertThat(users.countUsers()).isEqualTo(2);
    }

    @Test
    void upsertUsers_sameUserTwiceInBatch_laterWins() {
        users.upsertUsers(List.of(new TelegramUser(5, "Old", null, null, null, false),
                new TelegramUser(5, "New", null, null, null, false)));

        assertThat(users.find(5)).map(TelegramUser::firstName).contains("New");
        assertThat(users.countUsers()).isEqualTo(1);
    }

    @Test
    void find_unknownUser_isEmpty() {
        assertThat(users.find(404)).isEmpty();
    }

    @Test
    void status_unknown_isReachable() {
        assertThat(users.status(1, 2)).isEqualTo(UserStore.REACHABLE);
    }

    @Test
    void setStatus_twice_lastWinsPerBot() {
        users.setStatus(1, 2, UserStore.BLOCKED);
        users.setStatus(1, 2, UserStore.DEACTIVATED);
        users.setStatus(9, 2, UserStore.NEVER_STARTED);

        assertThat(users.status(1, 2)).isEqualTo(UserStore.DEACTIVATED);
        assertThat(users.status(9, 2)).isEqualTo(UserStore.NEVER_STARTED);
        assertThat(users.status(3, 2)).isEqualTo(UserStore.REACHABLE);
    }

    @Test
    void setStatus_unknownStatus_throwsIllegalArgument() {
        assertThatThrownBy(() -> users.setStatus(1, 2, "kicked"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kicked");
    }
}
