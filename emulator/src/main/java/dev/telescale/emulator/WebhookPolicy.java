package dev.telescale.emulator;

import java.time.Duration;

/**
 * How webhook deliveries are timed. {@link #telegram()} is the real server's schedule; tests
 * shrink it with {@link #scaled(double)} so retry behaviour is exercised in milliseconds.
 *
 * @param requestTimeout   an answer later than this is a failed delivery (Telegram: 60 s)
 * @param firstRetryDelay  delay after the second consecutive failure; the first retry is immediate
 * @param maxDelayMin      the doubling delay is capped by a random value in [min, max]
 * @param maxDelayMax      (Telegram: 60-120 s)
 * @param updateTtl        an undelivered update is dropped after this (Telegram: 24 h)
 * @param shortTtl         callback and pre-checkout queries expire sooner (Telegram: 150 s)
 * @param connectTimeout   connecting to the bot's server
 */
public record WebhookPolicy(Duration requestTimeout, Duration firstRetryDelay, Duration maxDelayMin,
                            Duration maxDelayMax, Duration updateTtl, Duration shortTtl, Duration connectTimeout) {
    public static WebhookPolicy telegram() {
        return new WebhookPolicy(Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofSeconds(120), Duration.ofHours(24), Duration.ofSeconds(150), Duration.ofSeconds(20));
    }

    /** Every delay multiplied by {@code factor} (TTLs included). */
    public WebhookPolicy scaled(double factor) {
        return new WebhookPolicy(scale(requestTimeout, factor), scale(firstRetryDelay, factor),
                scale(maxDelayMin, factor), scale(maxDelayMax, factor), scale(updateTtl, factor),
                scale(shortTtl, factor), scale(connectTimeout, factor));
    }

    private static Duration scale(Duration duration, double factor) {
        return Duration.ofNanos(Math.max(1_000_000L, (long) (duration.toNanos() * factor)));
    }
}
