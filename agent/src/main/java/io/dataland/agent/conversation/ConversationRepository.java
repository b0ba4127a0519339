package io.dataland.agent.conversation;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.dataland.agent.message.Message;
import io.dataland.agent.message.MessageChildRow;
import io.dataland.agent.message.MessageMapper;
import io.dataland.agent.message.MessageRepository;
import io.dataland.agent.message.MessageRow;
import io.dataland.agent.run.RunMapper;
import org.apache.ibatis.session.SqlSession;

/**
 * A user's conversations: create, read whole, list, rename, delete, inside the caller's unit of work.
 * Every read and write is scoped to the owner: another user's conversation behaves as if it did not exist.
 */
public final class ConversationRepository {

    /** The largest page {@link #list} serves. */
    public static final int MAX_PAGE = 100;

    private ConversationRepository() {
    }

    /** Creates a general conversation (UUID4 id) for {@code userId}. */
    public static Conversation createGeneral(SqlSession session, String userId, String title) {
        return session.getMapper(ConversationMapper.class)
                .insert(UUID.randomUUID().toString(), userId, title, Conversation.GENERAL);
    }

    /**
     * The museum conversation for {@code ticketId} ({@code id = ticketId}, mode {@code museum}), created for
     * {@code userId} if absent, and locked for an append (its {@code updated_at} bumped) as
     * {@link ConversationMapper#touchOwned} does; empty when a conversation with that id belongs to
     * someone else or is not a museum conversation (the caller rolls back). One statement.
     */
    public static Optional<Conversation> ensureMuseum(SqlSession session, String userId, String ticketId, String title) {
        return Optional.ofNullable(session.getMapper(ConversationMapper.class).ensureMuseum(ticketId, userId, title));
    }

    /**
     * {@code userId}'s conversation {@code id} with its messages, images, sources and suggestions, in one
     * round trip whatever the number of messages (three statements sent together:
     * {@link ConversationMapper#loadOwned}).
     */
    @SuppressWarnings("unchecked")
    public static Optional<ConversationDetail> load(SqlSession session, String id, String userId) {
        List<List<?>> results = session.getMapper(ConversationMapper.class).loadOwned(id, userId);
        if (results.getFirst().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ConversationDetail((Conversation) results.getFirst().getFirst(), MessageRepository.withChildren(
                (List<MessageRow>) results.get(1), (List<MessageChildRow>) results.get(2))));
    }

    /**
     * One page of {@code userId}'s conversations, newest {@code updated_at} first (ties by id, descending),
     * after {@code before} (null: from the start).
     *
     * @throws IllegalArgumentException when {@code limit} is outside 1..{@link #MAX_PAGE}
     */
    public static ConversationPage list(SqlSession session, String userId, int limit, ConversationCursor before) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE);
        }
        List<Conversation> rows = session.getMapper(ConversationMapper.class).listPage(userId,
                before == null ? null : before.updatedAt(), before == null ? null : before.id(), limit + 1);
        if (rows.size() <= limit) {
            return new ConversationPage(rows, null);
        }
        List<Conversation> page = rows.subList(0, limit);
        return new ConversationPage(page, ConversationCursor.after(page.getLast()));
    }

    /** Renames {@code userId}'s conversation; empty when it is not theirs. */
    public static Optional<Conversation> rename(SqlSession session, String id, String userId, String title) {
        return Optional.ofNullable(session.getMapper(ConversationMapper.class).rename(id, userId, title));
    }

    /**
     * Deletes {@code userId}'s conversation with its messages (their images, sources and suggestions
     * cascade) and its runs; false when it is not theirs (nothing changes).
     */
    public static boolean delete(SqlSession session, String id, String userId) {
        ConversationMapper conversations = session.getMapper(ConversationMapper.class);
        // Lock the row before deleting its children: an append in flight holds the same lock (touchOwned),
        // so it either commits before we look at the messages or finds the conversation gone. Without the
        // lock a concurrent append could insert a message between the two child deletes and the final
        // DELETE, which would then fail on the messages foreign key.
        if (conversations.lockOwned(id, userId) == null) {
            return false;
        }
        session.getMapper(MessageMapper.class).deleteByConversation(id);
        session.getMapper(RunMapper.class).deleteByConversation(id);
        return conversations.deleteOwned(id, userId) == 1;
    }
}
