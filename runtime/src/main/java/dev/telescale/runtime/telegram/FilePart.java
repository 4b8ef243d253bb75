package dev.telescale.runtime.telegram;

import java.util.Objects;

/**
 * One file of a multipart Bot API call (an upload of a photo, document, ...).
 *
 * @param fileName    the name Telegram stores (e.g. "photo.png"); quotes and line breaks are escaped when sent
 * @param contentType e.g. "image/png"; "application/octet-stream" when null
 * @param bytes       the content; not copied, do not change it afterwards
 */
public record FilePart(String fileName, String contentType, byte[] bytes) {
    public FilePart {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(bytes, "bytes");
        if (contentType == null || contentType.isBlank()) {
            contentType = "application/octet-stream";
        }
    }

    @Override
    public String toString() {
        return "FilePart[" + fileName + ", " + contentType + ", " + bytes.length + " bytes]";
    }
}
