package io.dataland.agent.message;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.dataland.agent.conversation.ConversationMapper;
import org.apache.ibatis.session.SqlSession;

/**
 * Appends messages (with their children), lists them and records feedback, inside the caller's unit of
 * work.
 *
 * <p>Why appends lock the conversation row: {@code seq} is {@code max(seq) + 1}, which two concurrent
 * appends would both compute alike. Locking the row first (the same statement bumps its
 * {@code updated_at} and checks its owner) makes appends to one conversation take turns, and each then
 * sees the previous one's committed row: no gap, no duplicate, no retry. Children go in with their message, in the same statement. The legacy {@code messages_json} blob is not
 * rewritten.
 */
public final class MessageRepository {

    /** The feedback values a message may hold (besides null). */
    public static final Set<String> FEEDBACK_VALUES = Set.of("like", "dislike");

    private MessageRepository() {
    }

    /**
     * The conversation's last {@code limit} messages without children, oldest first: the context a model
     * is sent (the caller has checked ownership).
     */
    public static List<MessageRow> recent(SqlSession session, String conversationId, int limit) {
        return session.getMapper(MessageMapper.class).listRecent(conversationId, limit);
    }

    /**
     * Sets (or, with null, clears) the feedback of an assistant message in one of {@code userId}'s
     * conversations; empty when there is no such message (unknown, another user's, or not an assistant's).
     *
     * @throws IllegalArgumentException when {@code feedback} is neither null nor one of {@link #FEEDBACK_VALUES}
     */
    public static Optional<MessageFeedback> setFeedback(SqlSession session, String messageId, String userId, String feedback) {
        if (feedback != null && !FEEDBACK_VALUES.contains(feedback)) {
            throw new IllegalArgumentException("feedback must be like, dislike or null");
        }
        return Optional.ofNullable(session.getMapper(MessageMapper.class).updateFeedback(messageId, userId, feedback));
    }

    /**
     * Appends: locks {@code userId}'s conversation (bumping its {@code updated_at}), then inserts the
     * message with the next {@code seq} and its children (one statement). Empty, with nothing written,
     * when the conversation is not {@code userId}'s.
     */
    public static Optional<Message> append(SqlSession session, String conversationId, String userId, NewMessage message) {
        if (session.getMapper(ConversationMapper.class).touchOwned(conversationId, userId) == null) {
            return Optional.empty();
        }
        return Optional.of(appendLocked(session, conversationId, message));
    }

    /**
     * Appends to a conversation whose row this transaction has already locked (by
     * {@code ConversationMapper.touchOwned} or {@code ensureMuseum}, or
     * {@code RunMapper.closeLockingConversation}): the message with the next {@code seq} and its
     * children, in one statement.
     */
    public static Message appendLocked(SqlSession session, String conversationId, NewMessage message) {
        MessageRow row = session.getMapper(MessageMapper.class)
                .insertNext(UUID.randomUUID().toString(), conversationId, message, ChildColumns.of(message));
        return Message.of(row, message.images().stream().map(MessageRepository::withDefaultType).toList(),
                message.sources().stream().map(MessageRepository::withDefaultType).toList(), message.suggestions());
    }

    /**
     * Appends a user message without children to a conversation this transaction has already locked
     * (as {@link #appendLocked}) and opens its run ({@code message.runId()}, of {@code userId}, started
     * at the message's {@code created_at}), in one statement.
     */
    public static Message appendOpeningRun(SqlSession session, String conversationId, String userId, NewMessage message) {
        if (!message.images().isEmpty() || !message.sources().isEmpty() || !message.suggestions().isEmpty()
                || message.runId() == null) {
            throw new IllegalArgumentException("a run's opening message has a run id and no children");
        }
        MessageRow row = session.getMapper(MessageMapper.class)
                .insertNextOpeningRun(UUID.randomUUID().toString(), conversationId, userId, message);
        return Message.of(row, List.of(), List.of(), List.of());
    }

    /**
     * A conversation's messages ({@code rows}, in {@code seq} order) with their children, from the rows
     * {@code ConversationMapper.loadOwned} reads (children ordered within each message and kind).
     */
    public static List<Message> withChildren(List<MessageRow> rows, List<MessageChildRow> childRows) {
        Map<String, Children> children = new HashMap<>();
        for (MessageChildRow child : childRows) {
            Children c = children.computeIfAbsent(child.messageId(), k -> new Children());
            switch (child.kind()) {
                case "image" -> c.images.add(new MessageImage(child.title(), child.artist(), child.imagePath(),
                        child.score(), child.type()));
                case "source" -> c.sources.add(new MessageSource(child.title(), child.uri(), child.confidence(), child.type()));
                case "suggestion" -> c.suggestions.add(child.text());
                default -> throw new IllegalStateException("unknown child kind " + child.kind());
            }
        }
        List<Message> result = new ArrayList<>(rows.size());
        Children none = new Children();
        for (MessageRow row : rows) {
            Children c = children.getOrDefault(row.id(), none);
            result.add(Message.of(row, c.images, c.sources, c.suggestions));
        }
        return result;
    }

    private static MessageImage withDefaultType(MessageImage image) {
        return image.type() != null ? image
                : new MessageImage(image.title(), image.artist(), image.imagePath(), image.score(), "artwork");
    }

    private static MessageSource withDefaultType(MessageSource source) {
        return source.type() != null ? source
                : new MessageSource(source.title(), source.uri(), source.confidence(), "document");
    }

    private static final class Children {
        final List<MessageImage> images = new ArrayList<>();
        final List<MessageSource> sources = new ArrayList<>();
        final List<String> suggestions = new ArrayList<>();
    }
}
