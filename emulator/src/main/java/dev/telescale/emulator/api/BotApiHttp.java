package dev.telescale.emulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.faults.FaultInjector;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.EmulatorState;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of the Bot API: decodes {@code /bot<token>/<method>} requests the way the real
 * server does (query string first, then a JSON, form or multipart body; every value a string),
 * applies injected faults, runs the method and writes the exact envelope.
 * Stateless apart from its collaborators; called concurrently from request threads.
 */
public final class BotApiHttp {
    private static final Logger log = LoggerFactory.getLogger(BotApiHttp.class);
    private static final byte[] NGINX_502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            + "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private final EmulatorState state;
    private final MethodRegistry methods;
    private final FaultInjector faults;
    private final CallStats stats;

    public BotApiHttp(EmulatorState state, MethodRegistry methods, FaultInjector faults,
                      CallStats stats) {
        this.state = state;
        this.methods = methods;
        this.faults = faults;
        this.stats = stats;
    }

    /** Handles any request whose path starts with /bot. */
    public void handle(Context ctx) {
        String path = ctx.path();
        int slash = path.indexOf('/', 4);
        if (!path.startsWith("/bot") || slash < 0) {
            writeError(ctx, BotApiException.notFound(), "unknown");
            return;
        }
        String token = URLDecoder.decode(path.substring(4, slash), StandardCharsets.UTF_8);
        String method = path.substring(slash + 1).toLowerCase(Locale.ROOT);
        String counted = methods.handler(method) == null ? "unknown" : method;
        Bot bot = null;
        ApiCall call = null;
        try {
            FaultInjector.Decision decision = faults.decideCall();
            if (decision.delayMillis() > 0) {
                Thread.sleep(decision.delayMillis());
            }
            switch (decision.outcome()) {
                case CONNECTION_RESET -> {
                    stats.count(counted, 0);
                    resetConnection(ctx);
                    return;
                }
                case BAD_GATEWAY -> {
                    stats.count(counted, 502);
                    ctx.status(502).contentType("text/html").result(NGINX_502);
                    return;
                }
                case SERVER_ERROR -> throw BotApiException.of(500, "Internal Server Error: restart");
                case TOO_MANY_REQUESTS -> throw BotApiException.tooManyRequests(faults.settings().stormRetryAfter());
                case NONE -> {
                }
            }
            bot = state.botForToken(token);
            MethodHandler handler = methods.handler(method);
            if (handler == null) {
                throw BotApiException.methodNotFound();
            }
            call = decode(ctx, bot, method);
            Object outcome = handler.handle(call);
            ObjectNode envelope = Json.object();
            envelope.put("ok", true);
            JsonNode result = switch (outcome) {
                case DescribedResult(JsonNode value, String description) -> {
                    envelope.set("result", value);
                    envelope.put("description", description);
                    yield value;
                }
                case JsonNode value -> {
                    envelope.set("result", value);
                    yield value;
                }
                default -> throw new IllegalStateException("handler returned " + outcome);
            };
            ctx.status(200).contentType("application/json").result(Json.bytes(envelope));
            stats.count(counted, 200);
            state.trace().call(bot.id(), lenientChatId(call), method, 200, result.path("message_id").asInt(0));
        } catch (BotApiException e) {
            writeError(ctx, e, counted);
            if (bot != null) {
                state.trace().call(bot.id(), call == null ? 0 : lenientChatId(call), method, e.errorCode(), 0);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writeError(ctx, BotApiException.of(500, "Internal Server Error: restart"), counted);
        } catch (Exception e) {
            log.error("emulator bug while serving {}", method, e);
            writeError(ctx, BotApiException.of(500, "Internal Server Error"), counted);
        }
    }

    private static long lenientChatId(ApiCall call) {
        String chatId = call.arg("chat_id");
        if (chatId == null) {
            return 0;
        }
        try {
            return Long.parseLong(chatId.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    void writeError(Context ctx, BotApiException e, String countedMethod) {
        ObjectNode envelope = Json.object();
        envelope.put("ok", false);
        envelope.put("error_code", e.errorCode());
        envelope.put("description", e.description());
        if (e.retryAfter() != null) {
            envelope.putObject("parameters").put("retry_after", e.retryAfter());
            ctx.header("Retry-After", Integer.toString(e.retryAfter()));
        }
        ctx.status(e.errorCode()).contentType("application/json").result(Json.bytes(envelope));
        stats.count(countedMethod, e.errorCode());
    }

    private static void resetConnection(Context ctx) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request != null) {
            request.getConnectionMetaData().getConnection().close();
        }
        ctx.skipRemainingHandlers();
    }

    /** Decodes arguments: body first, then the query string, whose values win as in the real server. */
    ApiCall decode(Context ctx, Bot bot, String method) throws IOException {
        Map<String, String> args = new HashMap<>();
        Map<String, ApiCall.Upload> uploads = Map.of();
        String contentType = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (contentType.startsWith("application/json")) {
            JsonNode body = Json.parseOrNull(ctx.body());
            if (body instanceof ObjectNode object) {
                Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    JsonNode value = field.getValue();
                    args.put(field.getKey(), value.isTextual() ? value.textValue() : value.toString());
                }
            }
        } else if (contentType.startsWith("application/x-www-form-urlencoded")) {
            ctx.formParamMap().forEach((name, values) -> {
                if (!values.isEmpty()) {
                    args.put(name, values.getFirst());
                }
            });
        } else if (contentType.startsWith("multipart/form-data")) {
            ctx.formParamMap().forEach((name, values) -> {
                if (!values.isEmpty()) {
                    args.put(name, values.getFirst());
                }
            });
            Map<String, List<UploadedFile>> files = ctx.uploadedFileMap();
            if (!files.isEmpty()) {
                uploads = new HashMap<>();
                for (Map.Entry<String, List<UploadedFile>> entry : files.entrySet()) {
                    UploadedFile file = entry.getValue().getFirst();
                    try (InputStream content = file.content()) {
                        uploads.put(entry.getKey(), new ApiCall.Upload(file.filename(), file.contentType(),
                                content.readAllBytes()));
                    }
                }
            }
        }
        ctx.queryParamMap().forEach((name, values) -> {
            if (!values.isEmpty()) {
                args.put(name, values.getFirst());
            }
        });
        return new ApiCall(bot, method, args, uploads);
    }
}
