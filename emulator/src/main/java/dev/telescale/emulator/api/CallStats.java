package dev.telescale.emulator.api;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of Bot API calls per method and HTTP status. Thread-safe and contention-free. */
public final class CallStats {
    private final Map<String, Map<Integer, LongAdder>> counts = new ConcurrentHashMap<>();

    public void count(String method, int status) {
        counts.computeIfAbsent(method, m -> new ConcurrentHashMap<>())
                .computeIfAbsent(status, s -> new LongAdder())
                .increment();
    }

    /** method -> status -> count, sorted for display. */
    public Map<String, Map<Integer, Long>> snapshot() {
        Map<String, Map<Integer, Long>> result = new TreeMap<>();
        counts.forEach((method, byStatus) -> {
            Map<Integer, Long> statuses = new TreeMap<>();
            byStatus.forEach((status, adder) -> statuses.put(status, adder.sum()));
            result.put(method, statuses);
        });
        return result;
    }

    public long total(String method, int status) {
        Map<Integer, LongAdder> byStatus = counts.get(method);
        if (byStatus == null) {
            return 0;
        }
        LongAdder adder = byStatus.get(status);
        return adder == null ? 0 : adder.sum();
    }

    public void reset() {
        counts.clear();
    }
}
