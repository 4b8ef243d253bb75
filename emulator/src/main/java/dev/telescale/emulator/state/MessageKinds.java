package dev.telescale.emulator.state;

import java.util.List;

/** The content kinds of a Message, in the order the emulator looks for them. */
public final class MessageKinds {
    public static final List<String> CONTENT_KINDS = List.of(
            "text", "animation", "audio", "document", "photo", "sticker", "video", "video_note", "voice",
            "contact", "dice", "venue", "location", "poll", "invoice", "successful_payment");

    /** Kinds that carry a file, with the send method's argument name equal to the kind. */
    public static final List<String> FILE_KINDS = List.of(
            "photo", "video", "animation", "audio", "voice", "video_note", "document", "sticker");

    private MessageKinds() {
    }
}
