package dev.telescale.bench;

import dev.telescale.emulator.state.Trace;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts, from the emulator's trace, every Bot API call of the given bots in any chat: the
 * messages they got into chats (a 200 that created a message) and the calls refused with 429 Too
 * Many Requests. Thread-safe (adders); subscribe it for the span to count.
 */
final class CallTally implements Trace.Listener {
    private final Set<Long> botIds;
    private final LongAdder messages = new LongAdder();
    private final LongAdder tooManyRequests = new LongAdder();

    CallTally(Set<Long> botIds) {
        this.botIds = Set.copyOf(botIds);
    }

    @Override
    public void onEvent(Trace.Event event) {
        if (!event.kind().equals("call") || !botIds.contains(event.botId())) {
            return;
        }
        if (event.status() == 429) {
            tooManyRequests.increment();
        } else if (event.status() == 200 && event.messageId() > 0) {
            messages.increment();
        }
    }

    long messages() {
        return messages.sum();
    }

    long tooManyRequests() {
        return tooManyRequests.sum();
    }

    /** 429 answers per 10,000 messages sent (0 when none were sent). */
    double tooManyRequestsPer10k() {
        long sent = messages();
        return sent == 0 ? 0 : tooManyRequests() * 10_000.0 / sent;
    }
}
