package dev.telescale.emulator;

import dev.telescale.emulator.faults.FaultSettings;
import java.time.InstantSource;

/**
 * Everything the emulator is started with. Immutable; use the {@code with...} methods.
 *
 * @param host                     interface to bind (127.0.0.1 by default)
 * @param port                     0 picks a free port
 * @param seed                     seeds ids and fault injection, so runs are repeatable
 * @param clock                    the emulator's notion of now (48 h edit/delete windows, expiry); fake in tests
 * @param flood                    flood control
 * @param faults                   fault injection at start (changeable at run time)
 * @param webhook                  webhook delivery timing
 * @param strictWebhookUrls        require HTTPS and ports 443/80/88/8443 like Telegram; off by default so
 *                                 local bots can use http://127.0.0.1:port
 * @param maxStoredMessagesPerChat messages kept per chat for edit/copy/delete (oldest evicted)
 * @param maxInboxEventsPerChat    inbox events kept per chat for the simulation API
 * @param traceCapacity            trace events kept for GET /sim/trace (0 disables the buffer)
 * @param maxRequestBytes          the largest request body accepted (uploads included)
 */
public record EmulatorConfig(String host, int port, long seed, InstantSource clock, FloodLimits flood,
                             FaultSettings faults, WebhookPolicy webhook, boolean strictWebhookUrls,
                             int maxStoredMessagesPerChat, int maxInboxEventsPerChat, int traceCapacity,
                             long maxRequestBytes) {
    public static EmulatorConfig defaults() {
        return new EmulatorConfig("127.0.0.1", 0, 42L, InstantSource.system(), FloodLimits.telegramDefaults(),
                FaultSettings.none(), WebhookPolicy.telegram(), false, 1_000, 1_000, 100_000, 60L * 1024 * 1024);
    }

    public EmulatorConfig withPort(int newPort) {
        return new EmulatorConfig(host, newPort, seed, clock, flood, faults, webhook, strictWebhookUrls,
                maxStoredMessagesPerChat, maxInboxEventsPerChat, traceCapacity, maxRequestBytes);
    }

    public EmulatorConfig withHost(String newHost) {
        return new EmulatorConfig(newHost, port, seed, clock, flood, faults, webhook, strictWebhookUrls,
                maxStoredMessagesPerChat, maxInboxEventsPerChat, traceCapacity, maxRequestBytes);
    }

    public EmulatorConfig withSeed(long newSeed) {
        return new EmulatorConfig(host, port, newSeed, clock, flood, faults, webhook, strictWebhookUrls,
                maxStoredMessagesPerChat, maxInboxEventsPerChat, traceCapacity, maxRequestBytes);
    }

    public EmulatorConfig withClock(InstantSource newClock) {
        return new EmulatorConfig(host, port, seed, newClock, flood, faults, webhook, strictWebhookUrls,
                maxStoredMessagesPerChat, maxInboxEventsPerChat, traceCapacity, maxRequestBytes);
    }

    public EmulatorConfig withFlood(FloodLimits newFlood) {
        return new EmulatorConfig(host, port, seed, clock, newFlood, faults, webhook, strictWebhookUrls,
                maxStoredMessagesPerChat, maxInboxEventsPerChat, traceCapacity, maxRequestBytes);
    }

    public EmulatorConfig withFaults(FaultSettings newFaults) {
        return new EmulatorConfig(host, port, seed, clock, flood, newFaults, webhook, strictWebhookUrls,
                maxStoredMessagesPerChat, maxInboxEventsPerChat, traceCapacity, maxRequestBytes);
    }

    public EmulatorConfig withWebhook(WebhookPolicy newWebhook) {
        return new EmulatorConfig(host, port, seed, clock, flood, faults, newWebhook, strictWebhookUrls,
                maxStoredMessagesPerChat, maxInboxEventsPerChat, traceCapacity, maxRequestBytes);
    }

    public EmulatorConfig withStrictWebhookUrls(boolean strict) {
        return new EmulatorConfig(host, port, seed, clock, flood, faults, webhook, strict,
                maxStoredMessagesPerChat, maxInboxEventsPerChat, traceCapacity, maxRequestBytes);
    }

    public EmulatorConfig withTraceCapacity(int capacity) {
        return new EmulatorConfig(host, port, seed, clock, flood, faults, webhook, strictWebhookUrls,
                maxStoredMessagesPerChat, maxInboxEventsPerChat, capacity, maxRequestBytes);
    }

    public EmulatorConfig withStorage(int messagesPerChat, int inboxEventsPerChat) {
        return new EmulatorConfig(host, port, seed, clock, flood, faults, webhook, strictWebhookUrls,
                messagesPerChat, inboxEventsPerChat, traceCapacity, maxRequestBytes);
    }
}
