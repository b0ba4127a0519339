package io.dataland.agent.message;

import java.util.List;

import org.apache.ibatis.annotations.Param;

/** SQL for {@code messages} and their children (MessageMapper.xml). */
public interface MessageMapper {

    /**
     * Inserts a message with the conversation's next {@code seq} and its children ({@code children}
     * of the same message), in one statement. Callers lock the conversation row first (see
     * {@link MessageRepository#append(org.apache.ibatis.session.SqlSession, String, String, NewMessage)})
     * so concurrent appends are serialised and the numbering has no gap and no duplicate.
     */
    MessageRow insertNext(@Param("id") String id, @Param("conversationId") String conversationId,
                          @Param("message") NewMessage message, @Param("children") ChildColumns children);

    /**
     * As {@link #insertNext} for a message without children, and opens the run {@code message.runId()}
     * of {@code userId} in the same statement.
     */
    MessageRow insertNextOpeningRun(@Param("id") String id, @Param("conversationId") String conversationId,
                                    @Param("userId") String userId, @Param("message") NewMessage message);

    /** The conversation's last {@code limit} messages (without children), oldest first. */
    List<MessageRow> listRecent(@Param("conversationId") String conversationId, @Param("limit") int limit);

    /**
     * Sets the feedback of an assistant message in one of {@code userId}'s conversations; returns it, or
     * {@code null} when there is no such message.
     */
    MessageFeedback updateFeedback(@Param("id") String id, @Param("userId") String userId,
                                   @Param("feedback") String feedback);

    /** Deletes the conversation's messages (their children cascade); returns how many. */
    int deleteByConversation(@Param("conversationId") String conversationId);
}
