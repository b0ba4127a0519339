package io.dataland.agent.turn;

import io.dataland.agent.message.Message;
import io.dataland.agent.run.Run;

/**
 * What the first step of a turn wrote, in one transaction.
 *
 * @param conversationId the conversation (new for {@link TurnRepository#beginNewGeneral})
 * @param run            the open run
 * @param userMessage    the appended user message ({@code run_id} = the run)
 */
public record TurnStart(String conversationId, Run run, Message userMessage) {
}
