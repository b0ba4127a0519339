package io.dataland.agent.message;

import java.time.OffsetDateTime;

/**
 * A {@code messages} row without its children (what {@link MessageMapper} reads).
 *
 * @param id             message id
 * @param conversationId conversation id
 * @param seq            position in the conversation
 * @param runId          run id
 * @param role           role
 * @param tool           tool name
 * @param toolCallId     tool call id
 * @param text           text
 * @param feedback       feedback
 * @param createdAt      creation time
 */
public record MessageRow(String id, String conversationId, int seq, String runId, String role, String tool,
                         String toolCallId, String text, String feedback, OffsetDateTime createdAt) {
}
