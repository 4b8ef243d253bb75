package dev.telescale.runtime.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.telegram.ApiResult;
import dev.telescale.runtime.telegram.BotApiClient;
import dev.telescale.runtime.telegram.FilePart;
import dev.telescale.runtime.telegram.TelegramException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Sends a file that belongs to another bot. A file_id is valid only for the bot that received it,
 * so an application that relays media between bots puts a placeholder where the file goes:
 * {@code {"telescale_file": {"bot_id": <owner>, "file_id": "...", "file_unique_id": "...",
 * "file_name": "..."}}}, as a top-level parameter (photo, video, document, ...) or as the
 * {@code media} of an InputMedia (sendMediaGroup's array, editMessageMedia's object).
 *
 * <p>Just before the call the sender resolves each placeholder: when {@link TransferredFiles}
 * knows the file's id in the sending bot, that id is used; otherwise the owner bot's getFile and a
 * download fetch the bytes, which go up as multipart. After Telegram accepted the upload, the new
 * file_id from its result is remembered, so the next relay of the same file is a plain file_id
 * send. Two uploads of one file to one bot at the same moment may both happen; that costs a
 * second upload, never a wrong file. Files too big for getFile (20 MB) are rejected, which the
 * application hears as a failed delivery.
 */
public final class FileTransfers {
    private final BotApiClient client;
    private final Function<Long, BotToken> tokens;
    private final TransferredFiles known;

    public FileTransfers(BotApiClient client, Function<Long, BotToken> tokens, TransferredFiles known) {
        this.client = Objects.requireNonNull(client, "client");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.known = Objects.requireNonNull(known, "known");
    }

    /** A placeholder that was resolved by uploading: where its new file_id will be in the result. */
    public record Upload(String uniqueId, int resultIndex, String kind) {
    }

    /** A call ready to be made: its parameters, the files to upload, and the uploads to remember. */
    public record Prepared(ObjectNode params, Map<String, FilePart> files, List<Upload> uploads) {
        public boolean multipart() {
            return !files.isEmpty();
        }
    }

    /** The outcome of preparing: the call, or a failure that stands for the call's result. */
    public sealed interface Preparation permits Ready, Failed {
    }

    public record Ready(Prepared prepared) implements Preparation {
    }

    public record Failed(ApiResult result) implements Preparation {
    }

    /** Whether the parameters hold any placeholder (a cheap check done on every call). */
    public static boolean hasPlaceholders(String payloadJson) {
        return payloadJson.contains(OutboundMessage.FILE_FIELD);
    }

    /** Resolves the placeholders of a call {@code botId} makes; {@code params} is changed in place. */
    public Preparation prepare(long botId, String method, ObjectNode params) {
        Map<String, FilePart> files = new LinkedHashMap<>();
        List<Upload> uploads = new ArrayList<>();
        try {
            List<String> fields = new ArrayList<>();
            params.fieldNames().forEachRemaining(fields::add);
            for (String field : fields) {
                JsonNode value = params.get(field);
                if (isPlaceholder(value)) {
                    Optional<FilePart> part = resolve(botId, value.get(OutboundMessage.FILE_FIELD), params, field);
                    if (part.isPresent()) {
                        params.remove(field);
                        files.put(field, part.get());
                        uploads.add(new Upload(uniqueId(value), -1, field));
                    }
                }
            }
            JsonNode media = params.get("media");
            if (media instanceof ArrayNode array) {
                for (int i = 0; i < array.size(); i++) {
                    resolveInputMedia(botId, array.get(i), i, files, uploads);
                }
            } else if (media instanceof ObjectNode object) {
                resolveInputMedia(botId, object, -1, files, uploads);
            }
        } catch (TransferFailure failure) {
            return new Failed(failure.result);
        }
        return new Ready(new Prepared(params, files, uploads));
    }

    /** After Telegram accepted a prepared call: remember the file_ids the uploads got. */
    public void remember(long botId, Prepared prepared, JsonNode result) {
        for (Upload upload : prepared.uploads()) {
            if (upload.uniqueId() == null) {
                continue;
            }
            JsonNode message = upload.resultIndex() >= 0 ? result.path(upload.resultIndex()) : result;
            String fileId = fileIdOf(message, upload.kind());
            if (fileId != null) {
                known.remember(botId, upload.uniqueId(), fileId);
            }
        }
    }

    private void resolveInputMedia(long botId, JsonNode inputMedia, int index, Map<String, FilePart> files,
                                   List<Upload> uploads) {
        if (!(inputMedia instanceof ObjectNode object) || !isPlaceholder(object.get("media"))) {
            return;
        }
        JsonNode placeholder = object.get("media");
        Optional<FilePart> part = resolve(botId, placeholder.get(OutboundMessage.FILE_FIELD), object, "media");
        if (part.isPresent()) {
            String name = "file" + files.size();
            files.put(name, part.get());
            object.put("media", "attach://" + name);
            uploads.add(new Upload(uniqueId(placeholder), index, object.path("type").asText("document")));
        }
    }

    /** Sets the known file_id in {@code holder.field} and returns empty, or returns the bytes to upload. */
    private Optional<FilePart> resolve(long botId, JsonNode spec, ObjectNode holder, String field) {
        long ownerBot = spec.path("bot_id").asLong();
        String fileId = spec.path("file_id").asText("");
        String uniqueId = spec.path("file_unique_id").asText(null);
        if (fileId.isEmpty() || ownerBot == 0) {
            throw new TransferFailure(new ApiResult.Rejected(400, "Bad Request: file placeholder without bot_id and file_id"));
        }
        if (ownerBot == botId) {
            holder.put(field, fileId);
            return Optional.empty();
        }
        if (uniqueId != null) {
            Optional<String> cached = known.find(botId, uniqueId);
            if (cached.isPresent()) {
                holder.put(field, cached.get());
                return Optional.empty();
            }
        }
        BotToken owner = tokens.apply(ownerBot);
        if (owner == null) {
            throw new TransferFailure(new ApiResult.Transient("no token known for bot " + ownerBot));
        }
        ObjectNode getFile = JsonNodeFactory.instance.objectNode().put("file_id", fileId);
        ApiResult info = client.call(owner, "getFile", getFile);
        if (!(info instanceof ApiResult.Ok ok)) {
            // a 429 or 5xx of the owner bot is retried like the call's own; a 400 (too big, gone) fails the call
            throw new TransferFailure(info instanceof ApiResult.Unreachable
                    ? new ApiResult.Transient("getFile of bot " + ownerBot + ": " + info) : info);
        }
        String path = ok.result().path("file_path").asText("");
        if (path.isEmpty()) {
            throw new TransferFailure(new ApiResult.Rejected(400, "Bad Request: getFile returned no file_path"));
        }
        byte[] bytes;
        try {
            bytes = client.download(owner, path);
        } catch (TelegramException e) {
            throw new TransferFailure(new ApiResult.Transient("download: " + e.getMessage()));
        }
        String name = spec.path("file_name").asText("");
        if (name.isEmpty()) {
            int slash = path.lastIndexOf('/');
            name = slash >= 0 ? path.substring(slash + 1) : path;
        }
        return Optional.of(new FilePart(name, spec.path("mime_type").asText(null), bytes));
    }

    private static boolean isPlaceholder(JsonNode value) {
        return value instanceof ObjectNode object && object.has(OutboundMessage.FILE_FIELD);
    }

    private static String uniqueId(JsonNode placeholder) {
        return placeholder.path(OutboundMessage.FILE_FIELD).path("file_unique_id").asText(null);
    }

    /** The file_id of the {@code kind} media of a Message (the largest photo size for photos). */
    static String fileIdOf(JsonNode message, String kind) {
        JsonNode media = message.path(kind);
        if (media.isArray()) {
            media = media.path(media.size() - 1);
        }
        String id = media.path("file_id").asText("");
        return id.isEmpty() ? null : id;
    }

    private static final class TransferFailure extends RuntimeException {
        private final ApiResult result;

        TransferFailure(ApiResult result) {
            super(result.toString(), null, false, false);
            this.result = result;
        }
    }
}
