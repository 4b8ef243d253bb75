package dev.telescale.emulator.state;

import dev.telescale.emulator.api.BotApiException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Files as Telegram keeps them: the content once, under a {@code file_unique_id} that is the
 * same for every bot, and a {@code file_id} per bot, valid only for that bot (another bot's
 * file_id fails with the real "wrong file identifier" error). Downloads use a {@code file_path}
 * handed out by getFile. Thread-safe: lock-free maps, ids from an atomic counter.
 */
public final class FileStore {
    /** One stored file's content and metadata. */
    public record StoredFile(String uniqueId, String kind, byte[] bytes, String mimeType, String fileName,
                             int width, int height, int duration) {
        public long size() {
            return bytes.length;
        }
    }

    /** What a file_id designates. */
    public record FileRef(long botId, String uniqueId, String fileId) {
    }

    private final Map<String, StoredFile> byUniqueId = new ConcurrentHashMap<>();
    private final Map<String, FileRef> byFileId = new ConcurrentHashMap<>();
    private final Map<String, String> fileIdByBotAndUnique = new ConcurrentHashMap<>();
    private final Map<String, String> uniqueIdByPath = new ConcurrentHashMap<>();
    private final Map<String, String> pathByUniqueId = new ConcurrentHashMap<>();
    private final Map<String, String> thumbnailByUniqueId = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final long salt;

    public FileStore(long salt) {
        this.salt = salt;
    }

    /** Stores new content and returns its file_unique_id. */
    public StoredFile store(String kind, byte[] bytes, String mimeType, String fileName, int width, int height, int duration) {
        long n = sequence.incrementAndGet();
        String uniqueId = "AQAD" + encode(n, salt);
        StoredFile file = new StoredFile(uniqueId, kind, bytes, mimeType, fileName, width, height, duration);
        byUniqueId.put(uniqueId, file);
        return file;
    }

    /** The bot's file_id for a stored file, minted once per bot and file. */
    public String fileIdFor(long botId, String uniqueId) {
        return fileIdByBotAndUnique.computeIfAbsent(botId + "/" + uniqueId, key -> {
            StoredFile file = byUniqueId.get(uniqueId);
            String fileId = prefix(file == null ? "document" : file.kind())
                    + encode(sequence.incrementAndGet(), salt ^ botId) + encode(botId, salt);
            byFileId.put(fileId, new FileRef(botId, uniqueId, fileId));
            return fileId;
        });
    }

    /** True when the bot has been given a file_id for this file. */
    public boolean hasFileId(long botId, String uniqueId) {
        return fileIdByBotAndUnique.containsKey(botId + "/" + uniqueId);
    }

    /** The file a bot's file_id designates; another bot's or an unknown id is the real 400. */
    public StoredFile resolve(long botId, String fileId) {
        FileRef ref = byFileId.get(fileId.trim());
        if (ref == null || ref.botId() != botId) {
            throw BotApiException.wrongFileIdentifier();
        }
        return byUniqueId.get(ref.uniqueId());
    }

    /** Links a photo to its smaller size, so a photo's PhotoSize array lists both. */
    public void linkThumbnail(String uniqueId, String thumbnailUniqueId) {
        thumbnailByUniqueId.put(uniqueId, thumbnailUniqueId);
    }

    /** The smaller size of a photo, or null. */
    public StoredFile thumbnailOf(String uniqueId) {
        String thumb = thumbnailByUniqueId.get(uniqueId);
        return thumb == null ? null : byUniqueId.get(thumb);
    }

    public StoredFile byUniqueId(String uniqueId) {
        return byUniqueId.get(uniqueId);
    }

    /** A download path for getFile, stable per file. */
    public String pathFor(StoredFile file) {
        return pathByUniqueId.computeIfAbsent(file.uniqueId(), id -> {
            String folder = switch (file.kind()) {
                case "photo" -> "photos";
                case "video" -> "videos";
                case "animation" -> "animations";
                case "audio" -> "music";
                case "voice" -> "voice";
                case "video_note" -> "video_notes";
                case "sticker" -> "stickers";
                default -> "documents";
            };
            String path = folder + "/file_" + sequence.incrementAndGet() + extension(file);
            uniqueIdByPath.put(path, id);
            return path;
        });
    }

    public StoredFile byPath(String path) {
        String uniqueId = uniqueIdByPath.get(path);
        return uniqueId == null ? null : byUniqueId.get(uniqueId);
    }

    private static String extension(StoredFile file) {
        String name = file.fileName();
        if (name != null && name.lastIndexOf('.') > 0) {
            return name.substring(name.lastIndexOf('.'));
        }
        return switch (file.kind()) {
            case "photo" -> ".jpg";
            case "video", "animation", "video_note" -> ".mp4";
            case "voice" -> ".oga";
            case "audio" -> ".mp3";
            case "sticker" -> ".webp";
            default -> "";
        };
    }

    private static String prefix(String kind) {
        return switch (kind) {
            case "photo" -> "AgAC";
            case "video" -> "BAAC";
            case "animation" -> "CgAC";
            case "audio" -> "CQAC";
            case "voice" -> "AwAC";
            case "video_note" -> "DQAC";
            case "sticker" -> "CAAC";
            default -> "BQAC";
        };
    }

    private static String encode(long a, long b) {
        byte[] raw = new byte[12];
        long mixed = a * 0x9E3779B97F4A7C15L ^ b;
        for (int i = 0; i < 8; i++) {
            raw[i] = (byte) (mixed >>> (8 * i));
        }
        for (int i = 0; i < 4; i++) {
            raw[8 + i] = (byte) (a >>> (8 * i));
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
