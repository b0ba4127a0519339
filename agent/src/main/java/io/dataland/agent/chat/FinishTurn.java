package io.dataland.agent.chat;

import java.util.List;
import java.util.Objects;

import io.dataland.agent.message.MessageImage;
import io.dataland.agent.message.MessageSource;
import io.dataland.agent.run.RunOutcome;

/**
 * The last step of a turn: the assistant's answer and how the run ended. Used for every ending:
 * success, error (usually no text), cancelled (the text streamed so far).
 *
 * @param conversationId the turn's conversation
 * @param userId         its owner
 * @param runId          the run opened by {@link TurnRepository#begin}
 * @param assistantText  the assistant message's text; null: close the run without a message
 * @param images         images of the answer (may be empty)
 * @param sources        sources of the answer (may be empty)
 * @param suggestions    follow-up suggestions, in order (may be empty)
 * @param outcome        model, tokens, cost, status and error of the run
 */
public record FinishTurn(String conversationId, String userId, String runId, String assistantText,
                         List<MessageImage> images, List<MessageSource> sources, List<String> suggestions,
                         RunOutcome outcome) {

    /** Requires the ids and the outcome; null lists become empty. */
    public FinishTurn {
        Objects.requireNonNull(conversationId, "conversationId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(outcome, "outcome");
        images = images == null ? List.of() : List.copyOf(images);
        sources = sources == null ? List.of() : List.copyOf(sources);
        suggestions = suggestions == null ? List.of() : List.copyOf(suggestions);
    }
}
