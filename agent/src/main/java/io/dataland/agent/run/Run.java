package io.dataland.agent.run;

import java.time.OffsetDateTime;

/**
 * One agent invocation ({@code runs} row). Telemetry fields stay null until the run is closed.
 *
 * @param id               the run id (UUID4)
 * @param conversationId   its conversation
 * @param userId           the user that started it
 * @param startedAt        when it was opened (UTC)
 * @param finishedAt       when it was closed, null while open
 * @param model            model name, e.g. {@code gemini-3.5-flash}
 * @param promptTokens     prompt tokens, if known
 * @param completionTokens completion tokens, if known
 * @param costUsd          cost in US dollars, if known
 * @param status           {@code success}, {@code error} or {@code cancelled}; null while open
 * @param error            the error text of a failed run
 */
public record Run(String id, String conversationId, String userId, OffsetDateTime startedAt,
                  OffsetDateTime finishedAt, String model, Integer promptTokens, Integer completionTokens,
                  Double costUsd, String status, String error) {
}
