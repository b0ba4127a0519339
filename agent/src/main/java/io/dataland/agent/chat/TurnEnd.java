package io.dataland.agent.chat;

import java.util.Objects;
import java.util.Optional;

import io.dataland.agent.message.Message;
import io.dataland.agent.run.Run;

/**
 * What the last step of a turn wrote, in one transaction.
 *
 * @param run              the closed run
 * @param assistantMessage the appended assistant message with its children; empty when the turn ended
 *                         without text (see {@link FinishTurn#assistantText()})
 */
public record TurnEnd(Run run, Optional<Message> assistantMessage) {

    /** Requires both (the message may be empty). */
    public TurnEnd {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(assistantMessage, "assistantMessage");
    }
}
