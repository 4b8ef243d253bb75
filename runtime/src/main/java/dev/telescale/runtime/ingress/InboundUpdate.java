package dev.telescale.runtime.ingress;

/**
 * An update as the runtime journals it: the raw JSON exactly as Telegram sent it, plus the keys
 * that route it. {@code chatKey} is the per-chat ordering key ("c:<chat id>" for chat updates,
 * "u:<user id>" for callback and other per-user updates); {@code shard} is derived from the bot
 * and chat key by {@link Partitioning}.
 *
 * @param type      the update's kind ("message", "callback_query", ... or the unknown field name)
 * @param attempts  how many times dispatch has tried it so far
 */
public record InboundUpdate(long botId, long updateId, String chatKey, int shard, String type, String payload,
                            long receivedAtMillis, int attempts) {
}
