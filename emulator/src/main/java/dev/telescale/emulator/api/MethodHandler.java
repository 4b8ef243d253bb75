package dev.telescale.emulator.api;

/**
 * One Bot API method: returns the {@code result} as a JsonNode, or a {@link DescribedResult}
 * when the envelope carries a description; throws {@link BotApiException} for error answers.
 */
@FunctionalInterface
public interface MethodHandler {
    Object handle(ApiCall call) throws Exception;
}
