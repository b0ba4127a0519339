package io.dataland.agent.chat;

import java.util.List;

import io.dataland.agent.message.Message;
import io.dataland.agent.model.ModelRequest;
import io.dataland.agent.run.Run;

/**
 * What the first step of a turn wrote and read, in one transaction.
 *
 * @param conversationId the conversation (new for {@link TurnRepository#beginNewGeneral})
 * @param run            the open run
 * @param userMessage    the appended user message ({@code run_id} = the run)
 * @param history        the earlier messages the model is sent, oldest first (empty when it wants none)
 */
public record TurnStart(String conversationId, Run run, Message userMessage, List<ModelRequest.Turn> history) {
}
