package io.dataland.agent.run;

import java.util.Objects;

/**
 * What closing a run records.
 *
 * @param model            model name (nullable)
 * @param promptTokens     prompt tokens (nullable)
 * @param completionTokens completion tokens (nullable)
 * @param costUsd          cost in US dollars (nullable)
 * @param status           how it ended (required)
 * @param error            error text for {@link RunStatus#ERROR} (nullable)
 */
public record RunOutcome(String model, Integer promptTokens, Integer completionTokens, Double costUsd,
                         RunStatus status, String error) {

    /** Requires {@code status}. */
    public RunOutcome {
        Objects.requireNonNull(status, "status");
    }
}
