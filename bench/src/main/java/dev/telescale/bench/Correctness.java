package dev.telescale.bench;

import dev.telescale.emulator.sim.Simulator;
import dev.telescale.emulator.state.InboxEvent;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the simulated users actually received, read back from their inboxes after the run.
 *
 * @param expected   messages that should have been answered
 * @param received   answers found (duplicates included)
 * @param lost       expected answers missing
 * @param duplicated answers found more than once (each extra copy counts)
 * @param reordered  answers that arrived after an answer to a later message of the same user
 */
record Correctness(long expected, long received, long lost, long duplicated, long reordered) {
    /** Writes the counts into a result's "correctness" object. */
    void writeTo(com.fasterxml.jackson.databind.node.ObjectNode checks) {
        checks.put("expected", expected);
        checks.put("received", received);
        checks.put("lost", lost);
        checks.put("duplicated", duplicated);
        checks.put("reordered", reordered);
    }

    boolean clean() {
        return lost == 0 && duplicated == 0 && reordered == 0;
    }

    /** Each user expects echoes of {@code u<user>-0} .. {@code u<user>-(sent-1)}, in that order, once each. */
    static Correctness echoes(Simulator sim, long botId, Map<Long, Integer> sentPerUser) {
        Tally tally = new Tally();
        for (Map.Entry<Long, Integer> entry : sentPerUser.entrySet()) {
            long user = entry.getKey();
            tally.check(messages(sim, botId, user), "u" + user + "-", entry.getValue());
        }
        return tally.result();
    }

    /** Where one sender's relayed messages should arrive, and how many were sent. */
    record Relayed(long partner, long partnerBot, int sent) {
    }

    /**
     * Each sender's partner expects {@code m <sender> 0} .. {@code m <sender> (sent-1)}, in that
     * order, once each, in the chat with the partner's bot.
     */
    static Correctness relays(Simulator sim, Map<Long, Relayed> senders) {
        Tally tally = new Tally();
        for (Map.Entry<Long, Relayed> entry : senders.entrySet()) {
            Relayed to = entry.getValue();
            tally.check(messages(sim, to.partnerBot(), to.partner()), "m " + entry.getKey() + " ", to.sent());
        }
        return tally.result();
    }

    /** Counts, over several senders, the numbered texts {@code <prefix><n>} found against those sent. */
    private static final class Tally {
        long expected;
        long received;
        long lost;
        long duplicated;
        long reordered;

        void check(List<InboxEvent> messages, String prefix, int sent) {
            Set<Integer> seen = new HashSet<>();
            int highest = -1;
            for (InboxEvent event : messages) {
                String text = event.payload().path("text").asText("");
                if (!text.startsWith(prefix)) {
                    continue;
                }
                int n;
                try {
                    n = Integer.parseInt(text.substring(prefix.length()));
                } catch (NumberFormatException e) {
                    continue;
                }
                received++;
                if (!seen.add(n)) {
                    duplicated++;
                    continue;
                }
                if (n < highest) {
                    reordered++;
                }
                highest = Math.max(highest, n);
            }
            expected += sent;
            for (int n = 0; n < sent; n++) {
                if (!seen.contains(n)) {
                    lost++;
                }
            }
        }

        Correctness result() {
            return new Correctness(expected, received, lost, duplicated, reordered);
        }
    }

    /** Each user expects exactly one message: the bot's answer to /start. */
    static Correctness startReplies(Simulator sim, long botId, List<Long> users) {
        long received = 0;
        long lost = 0;
        long duplicated = 0;
        for (long user : users) {
            int count = messages(sim, botId, user).size();
            received += count;
            if (count == 0) {
                lost++;
            } else {
                duplicated += count - 1;
            }
        }
        return new Correctness(users.size(), received, lost, duplicated, 0);
    }

    private static List<InboxEvent> messages(Simulator sim, long botId, long user) {
        return sim.inbox(user, botId, 0, 0).stream().filter(event -> event.event().equals("message")).toList();
    }
}
