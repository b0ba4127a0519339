package io.dataland.agent.model;

import java.util.List;

import io.dataland.agent.message.MessageImage;
import io.dataland.agent.message.MessageSource;

/**
 * The model's whole answer with its telemetry.
 *
 * @param model            the model that answered (stored in {@code runs.model})
 * @param costUsd          null when the provider does not know the price
 * @param promptTokens     null when the provider did not report usage
 * @param completionTokens null when the provider did not report usage
 */
public record ModelReply(String model, String text, List<MessageImage> images, List<MessageSource> sources,
                         List<String> suggestions, Integer promptTokens, Integer completionTokens, Double costUsd) {
}
