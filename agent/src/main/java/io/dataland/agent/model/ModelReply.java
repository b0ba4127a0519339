package io.dataland.agent.model;

import java.util.List;

/**
 * The model's whole answer with its telemetry.
 *
 * @param model            the model that answered (stored in {@code runs.model})
 * @param costUsd          null when the provider does not know the price
 * @param promptTokens     null when the provider did not report usage
 * @param completionTokens null when the provider did not report usage
 */
public record ModelReply(String model, String text, List<Image> images, List<Source> sources,
                         List<String> suggestions, Integer promptTokens, Integer completionTokens, Double costUsd) {

    /** An artwork image shown with the answer. */
    public record Image(String title, String artist, String imagePath, Double score, String type) {
    }

    /** A source the answer cites. */
    public record Source(String title, String uri, Double confidence, String type) {
    }
}
