package dev.telescale.emulator.api;

import com.fasterxml.jackson.databind.JsonNode;

/** A successful result that also carries the envelope's {@code description} ("Webhook was set"). */
public record DescribedResult(JsonNode result, String description) {
}
