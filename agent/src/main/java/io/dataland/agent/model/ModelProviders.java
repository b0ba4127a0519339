package io.dataland.agent.model;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

import io.dataland.kit.config.Settings;

/** Builds the provider {@code MODEL_PROVIDER} names. */
public final class ModelProviders {

    private ModelProviders() {
    }

    /** {@code offline} (default) or {@code openai}; anything else is a configuration error. */
    public static ModelProvider fromSettings(Settings settings) {
        String provider = settings.require("MODEL_PROVIDER").toLowerCase(Locale.ROOT);
        return switch (provider) {
            case "offline" -> new OfflineModel(ArtworkCatalogue.load(),
                    Duration.ofMillis(settings.requireInt("MODEL_OFFLINE_DELAY_MS", 0, 10_000)));
            case "openai" -> new OpenAiModel(new OpenAiModel.Settings(
                    URI.create(settings.find("MODEL_BASE_URL").orElseThrow(() ->
                            new IllegalArgumentException("MODEL_PROVIDER=openai needs MODEL_BASE_URL"))),
                    settings.find("MODEL_API_KEY").orElse(null),
                    settings.require("MODEL_NAME"),
                    Duration.ofSeconds(settings.requireInt("MODEL_CONNECT_TIMEOUT_SECONDS", 1, 600)),
                    Duration.ofSeconds(settings.requireInt("MODEL_IDLE_TIMEOUT_SECONDS", 1, 600)),
                    Duration.ofSeconds(settings.requireInt("MODEL_TIMEOUT_SECONDS", 1, 3600)),
                    settings.requireInt("MODEL_MAX_TOKENS", 1, 1_000_000),
                    settings.requireInt("MODEL_HISTORY_MAX_CHARS", 0, 10_000_000)));
            default -> throw new IllegalArgumentException("MODEL_PROVIDER must be offline or openai (got '"
                    + provider + "')");
        };
    }
}
