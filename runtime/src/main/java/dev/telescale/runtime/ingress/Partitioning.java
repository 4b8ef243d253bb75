package dev.telescale.runtime.ingress;

/**
 * Chats are spread over a fixed number of shards; one instance at a time owns a shard and is the
 * only one that dispatches its updates and sends its outbound messages, which keeps per-chat order
 * across instances. The mapping must never change for a running deployment.
 */
public final class Partitioning {
    public static final int SHARDS = 64;

    private Partitioning() {
    }

    public static int shardOf(long botId, String chatKey) {
        long hash = botId * 0x9E3779B97F4A7C15L ^ chatKey.hashCode() * 0xC2B2AE3D27D4EB4FL;
        hash ^= hash >>> 29;
        return (int) Math.floorMod(hash, (long) SHARDS);
    }

    /** The shard of a private or group chat identified by its id (outbound messages). */
    public static int shardOfChat(long botId, long chatId) {
        return shardOf(botId, "c:" + chatId);
    }
}
