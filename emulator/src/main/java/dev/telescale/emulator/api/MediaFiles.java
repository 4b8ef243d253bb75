package dev.telescale.emulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.FileStore;
import dev.telescale.emulator.state.FileStore.StoredFile;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.imageio.ImageIO;

/**
 * Turns the file arguments of send methods into stored files, and stored files into the Bot
 * API's media objects. A file argument is a file_id of this bot, an HTTP(S) URL (fetched), an
 * {@code attach://name} reference to a multipart part, or the multipart part itself.
 * Photos are decoded to learn their size and get a real thumbnail, so a PhotoSize array lists
 * two sizes, smallest first, as Telegram's does. Thread-safe (stateless apart from the store).
 */
public final class MediaFiles {
    public static final long MAX_DOWNLOAD_BYTES = 20L << 20;
    private static final int THUMBNAIL_SIDE = 90;

    private final FileStore files;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    public MediaFiles(FileStore files) {
        this.files = files;
    }

    public FileStore store() {
        return files;
    }

    /** Resolves the file argument {@code field} of a call as a file of the given kind. */
    public StoredFile ingest(ApiCall call, String kind, String field) {
        ApiCall.Upload upload = call.upload(field);
        String value = call.arg(field);
        if (upload == null && value != null && value.startsWith("attach://")) {
            upload = call.upload(value.substring("attach://".length()));
            if (upload == null) {
                throw BotApiException.badRequest("wrong file identifier/HTTP URL specified");
            }
        }
        if (upload != null) {
            return storeBytes(kind, upload.bytes(), upload.contentType(), upload.fileName(), call);
        }
        if (value == null) {
            throw BotApiException.badRequest("there is no " + kind.replace('_', ' ') + " in the request");
        }
        return ingestReference(call.bot(), kind, value, call);
    }

    /** A file_id or URL given inside JSON (InputMedia.media). */
    public StoredFile ingestReference(Bot bot, String kind, String value, ApiCall call) {
        String trimmed = value.trim();
        if (trimmed.startsWith("http://") || trimmed.startsWith("https://")) {
            return storeBytes(kind, fetch(trimmed), null, fileNameOf(trimmed), call);
        }
        if (trimmed.startsWith("attach://") && call != null) {
            ApiCall.Upload upload = call.upload(trimmed.substring("attach://".length()));
            if (upload == null) {
                throw BotApiException.badRequest("wrong file identifier/HTTP URL specified");
            }
            return storeBytes(kind, upload.bytes(), upload.contentType(), upload.fileName(), call);
        }
        return files.resolve(bot.id(), trimmed);
    }

    private byte[] fetch(String url) {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2) {
                throw BotApiException.badRequest("failed to get HTTP URL content");
            }
            return response.body();
        } catch (IllegalArgumentException e) {
            throw BotApiException.badRequest("wrong HTTP URL specified");
        } catch (IOException e) {
            throw BotApiException.badRequest("failed to get HTTP URL content");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BotApiException.badRequest("failed to get HTTP URL content");
        }
    }

    private static String fileNameOf(String url) {
        String path = URI.create(url).getPath();
        if (path == null || path.isEmpty() || path.endsWith("/")) {
            return null;
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Stores new content of a kind; photos are decoded (an undecodable photo is the real error). */
    public StoredFile storeBytes(String kind, byte[] bytes, String mimeType, String fileName, ApiCall call) {
        if (kind.equals("photo")) {
            BufferedImage image = decode(bytes);
            if (image == null) {
                throw BotApiException.badRequest("IMAGE_PROCESS_FAILED");
            }
            StoredFile photo = files.store("photo", bytes, "image/jpeg", null, image.getWidth(), image.getHeight(), 0);
            BufferedImage small = scale(image, THUMBNAIL_SIDE);
            StoredFile thumbnail = files.store("photo", encodePng(small), "image/png", null, small.getWidth(),
                    small.getHeight(), 0);
            files.linkThumbnail(photo.uniqueId(), thumbnail.uniqueId());
            return photo;
        }
        int width = call == null ? 0 : call.intArg("width", 0);
        int height = call == null ? 0 : call.intArg("height", 0);
        int duration = call == null ? 0 : call.intArg("duration", 0);
        if (kind.equals("sticker")) {
            width = 512;
            height = 512;
        }
        if (kind.equals("video_note")) {
            int length = call == null ? 0 : call.intArg("length", 240);
            width = length;
            height = length;
        }
        return files.store(kind, bytes, mimeType == null ? defaultMime(kind, fileName) : mimeType, fileName, width,
                height, duration);
    }

    private static BufferedImage decode(byte[] bytes) {
        try {
            return ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static BufferedImage scale(BufferedImage image, int maxSide) {
        double factor = Math.min(1.0, (double) maxSide / Math.max(image.getWidth(), image.getHeight()));
        int width = Math.max(1, (int) Math.round(image.getWidth() * factor));
        int height = Math.max(1, (int) Math.round(image.getHeight() * factor));
        BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = scaled.createGraphics();
        graphics.drawImage(image, 0, 0, width, height, null);
        graphics.dispose();
        return scaled;
    }

    static byte[] encodePng(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding failed", e);
        }
    }

    /** A small real PNG derived from a label, for simulated users who "send a photo". */
    public static byte[] syntheticPicture(String label) {
        int hash = label.hashCode();
        BufferedImage image = new BufferedImage(160, 120, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(new Color(hash & 0xFFFFFF));
        graphics.fillRect(0, 0, 160, 120);
        graphics.setColor(new Color(~hash & 0xFFFFFF));
        graphics.fillOval(40, 20, 80, 80);
        graphics.dispose();
        return encodePng(image);
    }

    private static String defaultMime(String kind, String fileName) {
        return switch (kind) {
            case "video", "animation", "video_note" -> "video/mp4";
            case "voice" -> "audio/ogg";
            case "audio" -> "audio/mpeg";
            case "sticker" -> "image/webp";
            default -> fileName != null && fileName.endsWith(".pdf") ? "application/pdf" : "application/octet-stream";
        };
    }

    /** The media object of a kind as this bot sees it (an array of sizes for photos). */
    public JsonNode mediaJson(Bot bot, StoredFile file, ApiCall call) {
        if (file.kind().equals("photo")) {
            return photoSizes(bot, file);
        }
        ObjectNode media = fileRef(bot, file);
        String kind = file.kind();
        switch (kind) {
            case "video", "animation" -> {
                media.put("width", file.width());
                media.put("height", file.height());
                media.put("duration", file.duration());
                putIfPresent(media, "file_name", file.fileName());
                media.put("mime_type", file.mimeType());
            }
            case "audio" -> {
                media.put("duration", file.duration());
                if (call != null) {
                    putIfPresent(media, "performer", call.arg("performer"));
                    putIfPresent(media, "title", call.arg("title"));
                }
                putIfPresent(media, "file_name", file.fileName());
                media.put("mime_type", file.mimeType());
            }
            case "voice" -> {
                media.put("duration", file.duration());
                media.put("mime_type", file.mimeType());
            }
            case "video_note" -> {
                media.put("length", file.width());
                media.put("duration", file.duration());
            }
            case "sticker" -> {
                media.put("type", "regular");
                media.put("width", 512);
                media.put("height", 512);
                media.put("is_animated", false);
                media.put("is_video", false);
                if (call != null) {
                    putIfPresent(media, "emoji", call.arg("emoji"));
                }
            }
            default -> {
                putIfPresent(media, "file_name", file.fileName());
                putIfPresent(media, "mime_type", file.mimeType());
            }
        }
        media.put("file_size", file.size());
        return media;
    }

    private ArrayNode photoSizes(Bot bot, StoredFile file) {
        ArrayNode sizes = Json.array();
        StoredFile thumbnail = files.thumbnailOf(file.uniqueId());
        if (thumbnail != null) {
            sizes.add(photoSize(bot, thumbnail));
        }
        sizes.add(photoSize(bot, file));
        return sizes;
    }

    private ObjectNode photoSize(Bot bot, StoredFile file) {
        ObjectNode size = fileRef(bot, file);
        size.put("file_size", file.size());
        size.put("width", file.width());
        size.put("height", file.height());
        return size;
    }

    private ObjectNode fileRef(Bot bot, StoredFile file) {
        ObjectNode media = Json.object();
        media.put("file_id", files.fileIdFor(bot.id(), file.uniqueId()));
        media.put("file_unique_id", file.uniqueId());
        return media;
    }

    /** The file a media object of a stored message refers to (the largest photo size). */
    public StoredFile fileOf(Bot bot, JsonNode media) {
        JsonNode ref = media.isArray() ? media.get(media.size() - 1) : media;
        return files.resolve(bot.id(), ref.get("file_id").asText());
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
