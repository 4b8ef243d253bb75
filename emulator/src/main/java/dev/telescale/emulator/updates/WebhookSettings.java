package dev.telescale.emulator.updates;

import java.util.List;

/** A bot's webhook as set by setWebhook. Immutable; replaced as a whole on every change. */
public record WebhookSettings(String url, String secretToken, int maxConnections, List<String> allowedUpdates,
                              String ipAddress, boolean hasCustomCertificate) {
}
