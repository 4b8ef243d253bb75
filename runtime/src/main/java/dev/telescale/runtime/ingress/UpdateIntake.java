package dev.telescale.runtime.ingress;

import dev.telescale.runtime.storage.UpdateJournal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door into the journal for both webhooks and polling: makes updates durable, then
 * hands the new ones (duplicates removed) to the dispatcher.
 *
 * <p>Group commit: callers enqueue a batch and wait on a future; one writer thread takes every
 * batch waiting at that moment and journals them all in one transaction, so concurrent webhook
 * requests share a commit instead of queueing for the database one by one. A caller's future
 * completes only after the commit, which is when a webhook may answer 2xx or a poller may move
 * its offset. The queue is bounded: when full, {@link #offer} refuses at once and the caller
 * answers Telegram with 429 / retries later.
 */
public final class UpdateIntake implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpdateIntake.class);
    private static final int MAX_UPDATES_PER_COMMIT = 1_000;

    private record Batch(List<InboundUpdate> updates, CompletableFuture<List<InboundUpdate>> done) {
    }

    private final UpdateJournal journal;
    private final Consumer<List<InboundUpdate>> onAccepted;
    private final LinkedBlockingQueue<Batch> waiting;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread writer;

    public UpdateIntake(UpdateJournal journal, Consumer<List<InboundUpdate>> onAccepted, int maxWaitingBatches) {
        this.journal = journal;
        this.onAccepted = onAccepted;
        this.waiting = new LinkedBlockingQueue<>(maxWaitingBatches);
        this.writer = Thread.ofPlatform().daemon().name("update-intake").start(this::writeLoop);
    }

    /**
     * Queues updates to be journaled; the future completes with the new ones after the commit, or
     * fails. Returns null when the intake is full or stopping (answer 429 / retry later).
     */
    public CompletableFuture<List<InboundUpdate>> offer(List<InboundUpdate> updates) {
        if (!running.get()) {
            return null;
        }
        Batch batch = new Batch(updates, new CompletableFuture<>());
        return waiting.offer(batch) ? batch.done() : null;
    }

    public int waitingBatches() {
        return waiting.size();
    }

    private void writeLoop() {
        List<Batch> taken = new ArrayList<>();
        while (running.get() || !waiting.isEmpty()) {
            try {
                Batch first = waiting.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                taken.clear();
                taken.add(first);
                int count = first.updates().size();
                while (count < MAX_UPDATES_PER_COMMIT) {
                    Batch next = waiting.poll();
                    if (next == null) {
                        break;
                    }
                    taken.add(next);
                    count += next.updates().size();
                }
                commit(taken, count);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Batch left;
        while ((left = waiting.poll()) != null) {
            left.done().completeExceptionally(new IllegalStateException("the intake stopped"));
        }
    }

    private void commit(List<Batch> batches, int count) {
        List<InboundUpdate> all = new ArrayList<>(count);
        batches.forEach(batch -> all.addAll(batch.updates()));
        List<InboundUpdate> fresh;
        try {
            fresh = journal.accept(all);
        } catch (RuntimeException e) {
            log.warn("journaling {} updates failed; their senders are told to retry", all.size(), e);
            batches.forEach(batch -> batch.done().completeExceptionally(e));
            return;
        }
        var freshKeys = new java.util.HashSet<String>(fresh.size() * 2);
        fresh.forEach(update -> freshKeys.add(update.botId() + ":" + update.updateId()));
        for (Batch batch : batches) {
            List<InboundUpdate> mine = new ArrayList<>();
            for (InboundUpdate update : batch.updates()) {
                if (freshKeys.remove(update.botId() + ":" + update.updateId())) {
                    mine.add(update);
                }
            }
            batch.done().complete(mine);
        }
        if (!fresh.isEmpty()) {
            try {
                onAccepted.accept(fresh);
            } catch (RuntimeException e) {
                log.warn("handing accepted updates to dispatch failed; the journal scan will pick them up", e);
            }
        }
    }

    /** Stops taking updates and journals what is already waiting. */
    @Override
    public void close() {
        running.set(false);
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
