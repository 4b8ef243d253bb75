package dev.telescale.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.sim.SimResult;
import dev.telescale.emulator.sim.Simulator;
import dev.telescale.emulator.state.InboxEvent;
import dev.telescale.emulator.state.Trace;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * The search-churn load ({@code search-churn}, {@code big-data}): U onboarded users of the
 * anonymous chat, alternately on bot A and bot B, press /search (or /next while in a chat) over
 * and over; the harness measures the time until "Partner found" and checks every match.
 *
 * <p><b>Pacing.</b> Presses are open loop in total: one platform thread plans press i at
 * start + i/R and gives it to the user at the head of a FIFO of <em>ready</em> users, on a new
 * virtual thread, whatever the bot is doing. A user is ready when idle (at the start, after the
 * partner ended the chat, after a search timed out) or once a match is confirmed (below), and
 * leaves the line when it presses. So each user loops search, match, hello, wait, /next, with a
 * think time equal to its wait in the line (about U/R when the bot keeps up). A press that finds
 * the line empty is counted as missed, not delayed: the offered rate never bends to the bot.
 *
 * <p><b>Observation.</b> A {@link Trace.Listener} keeps, per user, the trace time of each update
 * delivered to the bot (by update id) and of each message the bot sent into the user's chat (by
 * message id), and wakes the user's reader. Each user has one virtual reader thread that reads
 * its inbox in order and drives its state machine under the user's lock (the press takes the same
 * lock), so a user's state changes one at a time and in the order its chat shows. A message is
 * handled only once its trace time is known (the trace follows the inbox write by a hair).
 *
 * <p><b>Confirming a match.</b> "Partner found" does not say who the partner is (the chat is
 * anonymous), so on it the user sends {@code hi <own id> <own match number>}; the partner's copy
 * names the pair. A user is ready to press /next only after both "Partner found" and the
 * partner's hello, so no match ends before both sides know it (a chat's messages arrive in order:
 * the hello always follows the notice, and a "partner ended the chat" always follows the hello).
 * After the run, match (u, k) naming (v, j) must be named back by (v, j); "Partner found" to a
 * user who was not searching, a hello to a user not in a fresh chat, or a match never confirmed
 * are failures.
 */
final class SearchChurn {
    static final String HELLO = "hi ";
    private static final Duration QUIET_TO_END = Duration.ofSeconds(3);
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(60);
    private static final Duration UNTIMED_WAIT = Duration.ofSeconds(2);

    /** U users, R presses a second in total, for T seconds. */
    record Settings(int users, int rate, int durationSeconds) {
    }

    /**
     * What a run measured. Times in microseconds: {@code timeToMatch} per user and match, from the
     * delivery of the user's own /search or /next to their "Partner found"; {@code fromSend} the
     * same from the harness's send; {@code pairCompletion} per pair, from the delivery of the
     * press that completed it (the later of the two) to the later of the two notices.
     */
    record Outcome(Settings settings, double setupSeconds, long offeredPresses, long presses, long nextPresses,
                   long missedPresses, long sendErrors, long pairs, long pairsInWindow, long foundNotices, long searchTimeouts,
                   long tooManyRequests, Histogram timeToMatch, Histogram fromSend, Histogram pairCompletion,
                   Checks checks) {
        double matchesPerSecond() {
            return pairsInWindow / (double) settings.durationSeconds();
        }

        boolean passed() {
            return checks.clean() && sendErrors == 0 && pairs > 0;
        }

        void writeTo(ObjectNode node) {
            ObjectNode parameters = node.putObject("parameters");
            parameters.put("users", settings.users());
            parameters.put("rate", settings.rate());
            parameters.put("durationSeconds", settings.durationSeconds());
            node.put("setupSeconds", Math.round(setupSeconds * 100) / 100.0);
            ObjectNode counts = node.putObject("counts");
            counts.put("offeredPresses", offeredPresses);
            counts.put("presses", presses);
            counts.put("nextPresses", nextPresses);
            counts.put("missedPresses", missedPresses);
            counts.put("sendErrors", sendErrors);
            counts.put("pairs", pairs);
            counts.put("pairsWithinDuration", pairsInWindow);
            counts.put("partnerFoundNotices", foundNotices);
            counts.put("searchTimeouts", searchTimeouts);
            counts.put("tooManyRequests", tooManyRequests);
            node.put("matchesPerSecond", Math.round(matchesPerSecond() * 10) / 10.0);
            ObjectNode latency = node.putObject("latencyMs");
            latency.set("timeToMatch", RunFolder.percentiles(timeToMatch));
            latency.set("timeToMatchFromSend", RunFolder.percentiles(fromSend));
            latency.set("pairCompletion", RunFolder.percentiles(pairCompletion));
            checks.writeTo(node.putObject("correctness"));
            node.put("passed", passed());
        }

        /** The figures as one line: matches/s, time to match, pair completion, checks. */
        String figures() {
            return String.format(Locale.ROOT,
                    "%d users (set up in %.1f s), %d presses/s offered for %d s (%d made, %d of them /next, %d missed): "
                            + "%.1f matches/s; time to match p50 %.2f p95 %.2f p99 %.2f max %.2f ms; pair completion p99 %.2f ms; "
                            + "confirmed %d, unconfirmed %d, asymmetric %d, double-matched %d, stray %d%s",
                    settings.users(), setupSeconds, settings.rate(), settings.durationSeconds(), presses, nextPresses,
                    missedPresses, matchesPerSecond(), ms(timeToMatch, 50), ms(timeToMatch, 95), ms(timeToMatch, 99),
                    RunFolder.millis(timeToMatch.getMaxValue()), ms(pairCompletion, 99), checks.confirmed(),
                    checks.unconfirmed(), checks.asymmetric(), checks.doubleMatched(), checks.stray(),
                    sendErrors == 0 ? "" : "; " + sendErrors + " sends failed");
        }

        static double ms(Histogram histogram, double percentile) {
            return RunFolder.millis(histogram.getValueAtPercentile(percentile));
        }
    }

    /**
     * @param confirmed     matches (one per user side) whose partner's hello named them back
     * @param unconfirmed   "Partner found" without the partner's hello by the end (a lost notice or relay)
     * @param asymmetric    matches naming a partner whose own match names someone else
     * @param doubleMatched "Partner found" to a user who was not searching (in a chat already, or idle)
     * @param stray         hellos to a user not in a fresh chat
     * @param stillSearching users searching when the run ended (legitimate: nobody left to match them)
     */
    record Checks(long confirmed, long unconfirmed, long asymmetric, long doubleMatched, long stray, long stillSearching) {
        boolean clean() {
            return unconfirmed == 0 && asymmetric == 0 && doubleMatched == 0 && stray == 0;
        }

        void writeTo(ObjectNode node) {
            node.put("confirmedMatchSides", confirmed);
            node.put("unconfirmed", unconfirmed);
            node.put("asymmetric", asymmetric);
            node.put("doubleMatched", doubleMatched);
            node.put("stray", stray);
            node.put("stillSearching", stillSearching);
        }
    }

    private enum State { IDLE, SEARCHING, CHATTING }

    /** One match as one side saw it. Written under the user's lock; read after the readers stopped. */
    private static final class Match {
        final int number;
        final long pressUpdateId;
        final long pressSentMicros;
        final long foundMicros;
        long partner = -1;
        int partnerNumber = -1;

        Match(int number, long pressUpdateId, long pressSentMicros, long foundMicros) {
            this.number = number;
            this.pressUpdateId = pressUpdateId;
            this.pressSentMicros = pressSentMicros;
            this.foundMicros = foundMicros;
        }
    }

    private static final class ChurnUser extends AnonChatUsers.User {
        final Semaphore signal = new Semaphore(0);
        /** Trace time of the bot's call that put each message into the chat, by message id (from the listener). */
        final Map<Integer, Long> calledAt = new ConcurrentHashMap<>();
        /** Trace time of each delivery of this user's updates, by update id (from the listener). */
        final Map<Long, Long> deliveredAt = new ConcurrentHashMap<>();
        final List<Match> matches = new ArrayList<>();
        State state = State.IDLE;
        boolean queued;
        long pressUpdateId = -1;
        long pressSentMicros;
        long untimedSince;

        ChurnUser(long id, long bot) {
            super(id, bot);
        }

        Match current() {
            return matches.getLast();
        }
    }

    private final Simulator sim;
    private final Trace trace;
    private final Set<Long> bots;
    private final Settings settings;
    private final Map<Long, ChurnUser> byId = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<ChurnUser> ready = new ConcurrentLinkedQueue<>();
    private final SynchronizedHistogram liveTimeToMatch = new SynchronizedHistogram(LatencyRecorder.HIGHEST_MICROS, 3);
    private final LongAdder presses = new LongAdder();
    private final LongAdder nextPresses = new LongAdder();
    private final LongAdder sendErrors = new LongAdder();
    private final LongAdder foundNotices = new LongAdder();
    private final LongAdder doubleMatched = new LongAdder();
    private final LongAdder stray = new LongAdder();
    private final LongAdder searchTimeouts = new LongAdder();
    private final LongAdder handled = new LongAdder();
    private final CallTally calls;
    private volatile boolean reading = true;

    private SearchChurn(Simulator sim, Trace trace, Settings settings) {
        this.sim = sim;
        this.trace = trace;
        this.bots = Set.of(BenchStack.CHAT_BOT_A, BenchStack.CHAT_BOT_B);
        this.settings = settings;
        this.calls = new CallTally(bots);
    }

    /**
     * Onboards the users (not measured), then runs the presses for the duration, waits until the
     * chats are quiet, and checks the matches.
     *
     * @throws IllegalStateException when the setup fails (a user was not onboarded)
     */
    static Outcome run(String scenario, BenchStack stack, Settings settings, PrintWriter err) throws InterruptedException {
        SearchChurn churn = new SearchChurn(stack.emulator().sim(), stack.emulator().state().trace(), settings);
        return churn.run(scenario, err);
    }

    private Outcome run(String scenario, PrintWriter err) throws InterruptedException {
        long setupStart = System.nanoTime();
        List<ChurnUser> users = new ArrayList<>(settings.users());
        for (int i = 0; i < settings.users(); i++) {
            long bot = i % 2 == 0 ? BenchStack.CHAT_BOT_A : BenchStack.CHAT_BOT_B;
            users.add(new ChurnUser(sim.createUser("Churn" + i, null, null, "en", false).id(), bot));
        }
        AnonChatUsers.onboardAll(sim, users);
        double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
        Trace.Listener listener = this::onEvent;
        for (ChurnUser user : users) {
            byId.put(user.id, user);
            user.queued = true;
            ready.add(user);
        }
        trace.subscribe(listener);
        trace.subscribe(calls);
        long offered = (long) settings.rate() * settings.durationSeconds();
        long missed = 0;
        long startNanos = System.nanoTime() + 50_000_000L;
        long endMicros;
        long startMicros = traceMicros(startNanos);
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
             Progress progress = new Progress(scenario, err, presses::sum, () -> foundNotices.sum() / 2,
                     () -> liveTimeToMatch.getValueAtPercentile(99) / 1_000.0);
             ExecutorService pressing = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                for (ChurnUser user : users) {
                    readers.execute(() -> read(user));
                }
                double intervalNanos = 1e9 / settings.rate();
                for (long i = 0; i < offered; i++) {
                    long planned = startNanos + (long) (i * intervalNanos);
                    for (long wait = planned - System.nanoTime(); wait > 0; wait = planned - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                    ChurnUser user = ready.poll();
                    if (user == null) {
                        missed++;
                    } else {
                        pressing.execute(() -> press(user));
                    }
                }
                endMicros = traceMicros(startNanos + settings.durationSeconds() * 1_000_000_000L);
                pressing.shutdown();
                pressing.awaitTermination(60, TimeUnit.SECONDS);
                // Waits until no user handled a message for QUIET_TO_END (or DRAIN_LIMIT passed).
                BenchStack.awaitQuiet(() -> false, handled::sum, QUIET_TO_END, DRAIN_LIMIT);
            } finally {
                reading = false;
                users.forEach(user -> user.signal.release());
            }
        } finally {
            trace.unsubscribe(listener);
            trace.unsubscribe(calls);
        }
        return outcome(users, setupSeconds, offered, missed, startMicros, endMicros);
    }

    private long traceMicros(long nanoTime) {
        return trace.nowMicros() + (nanoTime - System.nanoTime()) / 1_000;
    }

    private void onEvent(Trace.Event event) {
        if (!bots.contains(event.botId())) {
            return;
        }
        ChurnUser user = byId.get(event.chatId());
        if (user == null) {
            return;
        }
        if (event.kind().equals("delivered")) {
            user.deliveredAt.putIfAbsent(event.updateId(), event.atMicros());
        } else if (event.status() == 200 && event.messageId() > 0) {
            user.calledAt.put(event.messageId(), event.atMicros());
            user.signal.release();
        }
    }

    private void press(ChurnUser user) {
        user.lock.lock();
        try {
            user.queued = false;
            if (user.state == State.SEARCHING) {
                return;
            }
            State before = user.state;
            user.state = State.SEARCHING;
            user.pressSentMicros = trace.nowMicros();
            try {
                SimResult result = AnonChatUsers.text(sim, user, before == State.CHATTING ? "/next" : "/search");
                user.pressUpdateId = result.updateId() == null ? -1 : result.updateId();
                presses.increment();
                if (before == State.CHATTING) {
                    nextPresses.increment();
                }
            } catch (RuntimeException e) {
                sendErrors.increment();
                user.state = before;
                enqueue(user);
            }
        } finally {
            user.lock.unlock();
        }
    }

    private void read(ChurnUser user) {
        while (reading) {
            try {
                user.signal.tryAcquire(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            user.signal.drainPermits();
            user.lock.lock();
            try {
                readInbox(user);
            } catch (RuntimeException e) {
                sendErrors.increment();
            } finally {
                user.lock.unlock();
            }
        }
    }

    private void readInbox(ChurnUser user) {
        for (InboxEvent event : sim.inbox(user.id, user.bot, 0, user.seenSeq)) {
            if (!event.event().equals("message")) {
                user.seenSeq = event.seq();
                continue;
            }
            Long calledAt = user.calledAt.remove(event.messageId());
            if (calledAt == null) {
                // Its trace event comes right after the inbox write, and wakes this reader again.
                long now = System.nanoTime();
                if (user.untimedSince == 0) {
                    user.untimedSince = now;
                }
                if (now - user.untimedSince < UNTIMED_WAIT.toNanos()) {
                    return;
                }
                calledAt = -1L;
            }
            user.untimedSince = 0;
            user.seenSeq = event.seq();
            handled.increment();
            handle(user, event.payload().path("text").asText(""), calledAt);
        }
    }

    private void handle(ChurnUser user, String text, long calledAt) {
        if (text.startsWith("Partner found")) {
            found(user, calledAt);
        } else if (text.startsWith(HELLO)) {
            hello(user, text);
        } else if (text.startsWith("Your partner ended the chat") || text.startsWith("Your partner left the chat")) {
            if (user.state == State.CHATTING) {
                user.state = State.IDLE;
                enqueue(user);
            }
            // While searching: the end of the chat this user was leaving too; nothing changes.
        } else if (text.startsWith("Nobody was found") && user.state == State.SEARCHING) {
            searchTimeouts.increment();
            user.state = State.IDLE;
            enqueue(user);
        }
    }

    private void found(ChurnUser user, long calledAt) {
        foundNotices.increment();
        if (user.state != State.SEARCHING) {
            doubleMatched.increment();
            return;
        }
        user.state = State.CHATTING;
        Match match = new Match(user.matches.size(), user.pressUpdateId, user.pressSentMicros, calledAt);
        user.matches.add(match);
        Long delivered = user.deliveredAt.get(match.pressUpdateId);
        if (delivered != null && calledAt >= 0) {
            liveTimeToMatch.recordValue(clamp(calledAt - delivered));
        }
        try {
            AnonChatUsers.text(sim, user, HELLO + user.id + " " + match.number);
        } catch (RuntimeException e) {
            sendErrors.increment();
        }
    }

    private void hello(ChurnUser user, String text) {
        String[] parts = text.substring(HELLO.length()).trim().split(" ");
        if (user.state != State.CHATTING || user.current().partner >= 0 || parts.length != 2) {
            stray.increment();
            return;
        }
        try {
            user.current().partner = Long.parseLong(parts[0]);
            user.current().partnerNumber = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            stray.increment();
            return;
        }
        enqueue(user);
    }

    private void enqueue(ChurnUser user) {
        if (!user.queued) {
            user.queued = true;
            ready.add(user);
        }
    }

    /** Checks every match against its partner's and builds the histograms (the readers have stopped). */
    private Outcome outcome(List<ChurnUser> users, double setupSeconds, long offered, long missed, long startMicros,
                            long endMicros) {
        Histogram timeToMatch = new Histogram(LatencyRecorder.HIGHEST_MICROS, 3);
        Histogram fromSend = new Histogram(LatencyRecorder.HIGHEST_MICROS, 3);
        Histogram pairCompletion = new Histogram(LatencyRecorder.HIGHEST_MICROS, 3);
        Map<Long, ChurnUser> index = new HashMap<>();
        users.forEach(user -> index.put(user.id, user));
        long confirmed = 0;
        long unconfirmed = 0;
        long asymmetric = 0;
        long pairs = 0;
        long pairsInWindow = 0;
        long stillSearching = 0;
        for (ChurnUser user : users) {
            stillSearching += user.state == State.SEARCHING ? 1 : 0;
            for (Match match : user.matches) {
                long delivered = deliveredAt(user, match);
                if (match.foundMicros >= 0) {
                    timeToMatch.recordValue(clamp(match.foundMicros - delivered));
                    fromSend.recordValue(clamp(match.foundMicros - match.pressSentMicros));
                }
                if (match.partner < 0) {
                    unconfirmed++;
                    continue;
                }
                ChurnUser partner = index.get(match.partner);
                Match theirs = partner == null || match.partnerNumber >= partner.matches.size() ? null
                        : partner.matches.get(match.partnerNumber);
                if (theirs == null || theirs.partner != user.id || theirs.partnerNumber != match.number) {
                    asymmetric++;
                    continue;
                }
                confirmed++;
                if (user.id < partner.id && match.foundMicros >= 0 && theirs.foundMicros >= 0) {
                    pairs++;
                    long completed = Math.max(match.foundMicros, theirs.foundMicros);
                    pairCompletion.recordValue(clamp(completed - Math.max(delivered, deliveredAt(partner, theirs))));
                    if (completed >= startMicros && completed <= endMicros) {
                        pairsInWindow++;
                    }
                }
            }
        }
        Checks checks = new Checks(confirmed, unconfirmed, asymmetric, doubleMatched.sum(), stray.sum(), stillSearching);
        return new Outcome(settings, setupSeconds, offered, presses.sum(), nextPresses.sum(), missed, sendErrors.sum(),
                pairs, pairsInWindow, foundNotices.sum(), searchTimeouts.sum(), calls.tooManyRequests(), timeToMatch,
                fromSend, pairCompletion, checks);
    }

    /** When the press that led to this match reached the bot; the send time if the delivery was not traced. */
    private static long deliveredAt(ChurnUser user, Match match) {
        Long delivered = user.deliveredAt.get(match.pressUpdateId);
        return delivered == null ? match.pressSentMicros : delivered;
    }

    private static long clamp(long micros) {
        return Math.max(0, Math.min(LatencyRecorder.HIGHEST_MICROS, micros));
    }
}
