package dev.telescale.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.sim.SimException;
import dev.telescale.emulator.state.SimUser;
import dev.telescale.emulator.state.Bot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code Simulator.markStarted}: a user preloaded as having started the bot, without a /start update. */
class SimulatorMarkStartedTest {
    private static final String TOKEN = "1234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

    private final Emulator emulator = Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.off()));

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void markStarted_userMaySendAndBotMayAnswer_withoutAnyUpdateQueued() {
        Bot bot = emulator.sim().registerBot(TOKEN);
        SimUser user = emulator.sim().createUser("Preloaded", null, null, "en", false);

        emulator.sim().markStarted(user.id(), bot.id());

        assertThat(bot.updates().pendingCount()).isZero();
        assertThat(emulator.state().sendTarget(bot, user.id()).started()).isTrue();
        ObjectNode text = Json.object();
        text.put("text", "hello");
        emulator.sim().send(user.id(), bot.id(), 0, text);
        assertThat(bot.updates().snapshot()).singleElement()
                .satisfies(update -> assertThat(update.json().path("message").path("text").asText()).isEqualTo("hello"));
    }

    @Test
    void markStarted_unknownUser_isNotFound() {
        Bot bot = emulator.sim().registerBot(TOKEN);

        assertThatThrownBy(() -> emulator.sim().markStarted(999_999L, bot.id())).isInstanceOf(SimException.class)
                .hasMessageContaining("no simulated user");
    }
}
