package io.dataland.agent.message;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A message with its children, as the API returns it.
 *
 * @param id             message id (UUID4)
 * @param conversationId its conversation
 * @param seq            1-based position in the conversation, unique within it, no gaps when written
 *                       through {@link MessageRepository}
 * @param runId          the run that produced or received it (soft link, may be null for old rows)
 * @param role           {@code user}, {@code assistant}, {@code system} or {@code tool}
 * @param tool           tool name for tool messages
 * @param toolCallId     tool call id for tool messages
 * @param text           the text (may be empty for a cancelled turn)
 * @param feedback       {@code like}, {@code dislike} or null
 * @param createdAt      when written (UTC; null for some historical rows)
 * @param images         images, in insertion order
 * @param sources        sources, in insertion order
 * @param suggestions    follow-up suggestions, in their {@code sequence} order
 */
public record Message(String id, String conversationId, int seq, String runId, String role, String tool,
                      String toolCallId, String text, String feedback, OffsetDateTime createdAt,
                      List<MessageImage> images, List<MessageSource> sources, List<String> suggestions) {

    /** Copies the child lists (immutable). */
    public Message {
        images = List.copyOf(images);
        sources = List.copyOf(sources);
        suggestions = List.copyOf(suggestions);
    }

    /** The message of a row with the given children. */
    static Message of(MessageRow row, List<MessageImage> images, List<MessageSource> sources, List<String> suggestions) {
        return new Message(row.id(), row.conversationId(), row.seq(), row.runId(), row.role(), row.tool(),
                row.toolCallId(), row.text(), row.feedback(), row.createdAt(), images, sources, suggestions);
    }
}
