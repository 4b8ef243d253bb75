package dev.telescale.runtime;

import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.app.Update;
import dev.telescale.runtime.app.UpdateContext;
import dev.telescale.runtime.dispatch.DeliveryFailures;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The runtime tests' application: answers "echo: <text>" to every text, records every update it
 * handled (to check once-only and order), fails on purpose for texts starting with "fail", holds
 * the handler of a text "hold" until {@link #release} opens, and records delivery failure reports.
 * Thread-safe.
 */
final class RecordingApplication implements BotApplication {
    static final String NAME = "recording";

    final List<Update> handled = new CopyOnWriteArrayList<>();
    final List<Update> failures = new CopyOnWriteArrayList<>();
    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    /** Counted down when a "hold" handler has started. */
    final CountDownLatch holding = new CountDownLatch(1);
    /** "hold" handlers wait for this. */
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void handle(UpdateContext context) {
        Update update = context.update();
        if (update.type().equals(DeliveryFailures.TYPE)) {
            failures.add(update);
            return;
        }
        String text = update.text();
        if (text != null && text.startsWith("fail-once") && failedOnce.add(update.botId() + ":" + update.updateId())) {
            throw new IllegalStateException("failing on purpose, once");
        }
        if ("hold".equals(text)) {
            holding.countDown();
            try {
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while held", e);
            }
        }
        if (text != null && text.startsWith("fail-always")) {
            throw new IllegalStateException("failing on purpose, always");
        }
        handled.add(update);
        if (text != null && update.isPrivateChat()) {
            context.send().sendMessage(update.chatId(), "echo: " + text);
        }
        if (text != null && text.startsWith("relay ")) {
            String[] parts = text.split(" ");
            long viaBot = Long.parseLong(parts[1]);
            long chat = Long.parseLong(parts[2]);
            var params = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            params.put("text", "relayed from " + update.chatId());
            context.send().call(viaBot, chat, "sendMessage", params);
        }
    }

    long countHandled(long updateId) {
        return handled.stream().filter(update -> update.updateId() == updateId).count();
    }
}
