package io.dataland.agent.message;

import java.util.List;
import java.util.Objects;

/**
 * A message to append; its id and {@code seq} are assigned on insert.
 *
 * @param role        {@code user}, {@code assistant}, {@code system} or {@code tool} (required)
 * @param text        text (nullable)
 * @param runId       the run it belongs to (nullable)
 * @param tool        tool name (nullable)
 * @param toolCallId  tool call id (nullable)
 * @param images      images (may be empty)
 * @param sources     sources (may be empty)
 * @param suggestions follow-up suggestions, in order (may be empty)
 */
public record NewMessage(String role, String text, String runId, String tool, String toolCallId,
                         List<MessageImage> images, List<MessageSource> sources, List<String> suggestions) {

    /** Requires {@code role}; null lists become empty. */
    public NewMessage {
        Objects.requireNonNull(role, "role");
        images = images == null ? List.of() : List.copyOf(images);
        sources = sources == null ? List.of() : List.copyOf(sources);
        suggestions = suggestions == null ? List.of() : List.copyOf(suggestions);
    }

    /** A user message with no children. */
    public static NewMessage user(String text, String runId) {
        return new NewMessage("user", text, runId, null, null, List.of(), List.of(), List.of());
    }

    /** An assistant message with its children. */
    public static NewMessage assistant(String text, String runId, List<MessageImage> images,
                                       List<MessageSource> sources, List<String> suggestions) {
        return new NewMessage("assistant", text, runId, null, null, images, sources, suggestions);
    }
}
