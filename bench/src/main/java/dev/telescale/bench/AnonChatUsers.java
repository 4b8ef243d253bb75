package dev.telescale.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.sim.SimResult;
import dev.telescale.emulator.sim.Simulator;
import dev.telescale.emulator.state.InboxEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;

/**
 * Simulated users of the anonymous chat during a scenario's setup (not measured): onboarding
 * (gender button, age 30, "All set"), sending a text, waiting for the bot's next matching message.
 * Each user reads its own inbox from the last message it waited for, so a user is driven by one
 * thread at a time.
 */
final class AnonChatUsers {
    static final Duration SETUP_WAIT = Duration.ofSeconds(60);
    private static final int ONBOARDING_AT_ONCE = 32;

    private AnonChatUsers() {
    }

    /** A user of one bot; {@code seenSeq} is the inbox position of the last message awaited. */
    static class User extends OpenLoop.NumberedUser {
        long seenSeq;

        User(long id, long bot) {
            super(id, bot);
        }
    }

    /** A user in a conversation with a partner (on the other bot, in the relay scenarios), whose relays are checked. */
    static final class Partnered extends User {
        long partner;
        long partnerBot;

        Partnered(long id, long bot) {
            super(id, bot);
        }

        /** Records the pair on both sides. */
        void pairWith(Partnered other) {
            partner = other.id;
            partnerBot = other.bot;
            other.partner = id;
            other.partnerBot = bot;
        }
    }

    /**
     * Onboards every user, {@value #ONBOARDING_AT_ONCE} at a time, alternating genders ("m" for
     * even positions); throws {@link IllegalStateException} naming the first user who got stuck.
     */
    static void onboardAll(Simulator sim, List<? extends User> users) {
        Semaphore concurrent = new Semaphore(ONBOARDING_AT_ONCE);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> onboarded = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                User user = users.get(i);
                String gender = i % 2 == 0 ? "m" : "f";
                onboarded.add(executor.submit(() -> {
                    concurrent.acquireUninterruptibly();
                    try {
                        onboard(sim, user, gender);
                    } finally {
                        concurrent.release();
                    }
                }));
            }
            for (Future<?> future : onboarded) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof IllegalStateException problem ? problem
                            : new IllegalStateException("onboarding: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted during onboarding", e);
                }
            }
        }
    }

    static void onboard(Simulator sim, User user, String gender) {
        sim.start(user.id, user.bot, null);
        InboxEvent question = await(sim, user, "the gender question", event -> hasButton(event.payload(), "g:" + gender));
        sim.press(user.id, user.bot, 0, question.messageId(), "g:" + gender, null);
        awaitText(sim, user, "How old");
        text(sim, user, "30");
        awaitText(sim, user, "All set");
    }

    private static boolean hasButton(JsonNode message, String data) {
        for (JsonNode row : message.path("reply_markup").path("inline_keyboard")) {
            for (JsonNode button : row) {
                if (data.equals(button.path("callback_data").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    static SimResult text(Simulator sim, OpenLoop.NumberedUser user, String text) {
        ObjectNode content = Json.object();
        content.put("text", text);
        return sim.send(user.id, user.bot, 0, content);
    }

    static InboxEvent awaitText(Simulator sim, User user, String fragment) {
        return await(sim, user, "'" + fragment + "'", event -> event.payload().path("text").asText("").contains(fragment));
    }

    /** Waits for a new message (after the last one awaited) that matches. */
    static InboxEvent await(Simulator sim, User user, String what, Predicate<InboxEvent> matches) {
        long deadline = System.nanoTime() + SETUP_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (InboxEvent event : sim.inbox(user.id, user.bot, 0, user.seenSeq)) {
                if (event.event().equals("message") && matches.test(event)) {
                    user.seenSeq = event.seq();
                    return event;
                }
            }
            BenchStack.sleep(Duration.ofMillis(20));
        }
        throw new IllegalStateException("user " + user.id + " got no " + what + " within " + SETUP_WAIT.toSeconds() + " s");
    }
}
