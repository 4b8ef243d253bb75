package dev.telescale.runtime.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.app.BroadcastAudience;
import dev.telescale.runtime.app.Broadcasts;
import dev.telescale.runtime.app.Outgoing;
import dev.telescale.runtime.app.PeriodicTask;
import dev.telescale.runtime.app.TaskContext;
import dev.telescale.runtime.json.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The runtime's broadcasts task for one application: every second, on the one instance holding
 * its lease, the next {@link #BATCH} recipients of each running broadcast after its cursor get the
 * broadcast's call on the outbox's broadcast lane, and the cursor moves, in one transaction. A
 * crash rolls the batch back and the next run (here or on another instance) does it again, so
 * nobody is queued twice and nobody is skipped. Conversation traffic goes first: the sender gives
 * broadcasts only a share of each bot's rate.
 */
public final class BroadcastTask {
    /** Recipients queued per broadcast per run (at most about 500 a second, well above 30 a second per bot). */
    public static final int BATCH = 500;
    private static final ObjectMapper JSON = Json.newMapper();

    private BroadcastTask() {
    }

    /** The periodic task of an application's broadcasts, or empty when it has no audience. */
    static Optional<PeriodicTask> of(BotApplication application) {
        return application.broadcastAudience().map(audience -> new PeriodicTask("broadcasts", Duration.ofSeconds(1),
                context -> run(application.name(), audience, context)));
    }

    static void run(String app, BroadcastAudience audience, TaskContext context) throws Exception {
        Broadcasts broadcasts = context.dao(Broadcasts.class);
        long now = context.clock().millis();
        for (Broadcasts.Row broadcast : broadcasts.running(app)) {
            JsonNode message;
            try {
                message = JSON.readTree(broadcast.message());
            } catch (IOException e) {
                broadcasts.advance(broadcast.id(), broadcast.cursorValue(), 0, true, now);
                continue;
            }
            List<BroadcastAudience.Recipient> recipients = audience.next(context, broadcast.segment(), broadcast.cursorValue(), BATCH);
            Outgoing out = context.send(broadcast.originBotId(), broadcast.originChatId());
            long cursor = broadcast.cursorValue();
            int queued = 0;
            for (BroadcastAudience.Recipient recipient : recipients) {
                cursor = Math.max(cursor, recipient.cursor());
                if (!context.botIds().contains(recipient.botId())) {
                    continue;
                }
                Optional<BroadcastAudience.Call> call = audience.render(message, recipient, broadcast.originBotId(),
                        broadcast.originChatId());
                if (call.isPresent()) {
                    out.broadcast(recipient.botId(), recipient.chatId(), call.get().method(), call.get().params());
                    queued++;
                }
            }
            boolean done = recipients.size() < BATCH;
            broadcasts.advance(broadcast.id(), cursor, queued, done, now);
            if (done && broadcast.originChatId() != 0 && context.botIds().contains(broadcast.originBotId())) {
                ObjectNode params = JsonNodeFactory.instance.objectNode();
                params.put("text", audience.doneNotice(broadcast.id(), broadcast.queued() + queued));
                out.call(broadcast.originBotId(), broadcast.originChatId(), "sendMessage", params);
            }
        }
    }
}
