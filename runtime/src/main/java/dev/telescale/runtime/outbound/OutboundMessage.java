package dev.telescale.runtime.outbound;

/**
 * A Bot API call waiting in the durable outbox. Messages to one (bot, chat) are sent strictly in
 * {@code id} order; {@code lane} 0 is conversation traffic, 1 is broadcasts (never ahead of lane 0).
 *
 * @param id              assigned by the database; 0 before it is stored
 * @param method          the Bot API method, e.g. "sendMessage", "copyMessage"
 * @param payloadJson     the method's parameters as a JSON object (chat_id included)
 * @param notBeforeMillis not to be sent before this time (retry back-off, retry_after)
 * @param origin          who produced it, for failure reports (e.g. "update:123456:789", "broadcast:12")
 */
public record OutboundMessage(long id, long botId, long chatId, int shard, int lane, String method, String payloadJson,
                              int attempts, long notBeforeMillis, String origin) {
    public static final int CONVERSATION = 0;
    public static final int BROADCAST = 1;
    /** Payload field holding the application's delivery tag; removed before the call is made. */
    public static final String TAG_FIELD = "telescale_tag";
    /** Payload value marking a file of another bot, to be transferred (see {@link FileTransfers}). */
    public static final String FILE_FIELD = "telescale_file";

    public OutboundMessage withId(long newId) {
        return new OutboundMessage(newId, botId, chatId, shard, lane, method, payloadJson, attempts, notBeforeMillis, origin);
    }

    public OutboundMessage retriedAt(long newNotBefore) {
        return new OutboundMessage(id, botId, chatId, shard, lane, method, payloadJson, attempts + 1, newNotBefore, origin);
    }
}
