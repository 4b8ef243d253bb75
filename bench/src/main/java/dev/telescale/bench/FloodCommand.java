package dev.telescale.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench flood}: the relay scenario with the emulator's Telegram flood limits on (30
 * messages/s per bot, 1/s per private chat with a burst of 3) and the runtime's default send
 * rates, under an offered load above both limits. The bot must pace itself: almost no 429s, and
 * every message still reaches the partner, once, in order. The latency is mostly queueing, by
 * design. Relay rather than echo because each message then crosses from one user's update to
 * another chat (often of the other bot), and every partner chat receives one sender's numbered
 * stream, which the order check reads.
 */
@Command(name = "flood", description = {"The relay scenario with Telegram's flood limits on in the emulator and the bot's "
        + "default send rates, offered more than Telegram allows (by default 1.25 messages/s into each chat and "
        + "50/s per bot, against 1/s and 30/s).",
        "Reports 429s per 10,000 messages the bots sent (the whole run, setup included), lost, duplicated and "
        + "reordered messages, throughput and latency (queueing, by design). Exit code 0 when nothing was lost, "
        + "duplicated or reordered, 1 otherwise."})
final class FloodCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--pairs", defaultValue = "40", paramLabel = "P",
            description = "Pairs of users in a conversation, 2P users in all (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--rate", defaultValue = "100", paramLabel = "R",
            description = "Messages per second, all senders together (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "10", paramLabel = "SECONDS",
            description = "Seconds of sending; the backlog then drains at the limits' pace (default: ${DEFAULT-VALUE}).")
    int duration;

    @Override
    public Integer call() {
        RelayCommand relay = new RelayCommand();
        relay.spec = spec;
        relay.common = common;
        relay.common.flood = true;
        relay.pairs = pairs;
        relay.rate = rate;
        relay.duration = duration;
        relay.warmup = 0;
        return relay.run("flood");
    }
}
