package io.dataland.agent.conversation;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.dataland.agent.message.Message;
import io.dataland.agent.message.MessageMapper;
import io.dataland.agent.message.MessageRepository;
import io.dataland.agent.run.RunMapper;
import io.dataland.agent.store.Store;
import org.apache.ibatis.session.SqlSession;

/**
 * A user's conversations: create, read whole, list, rename, delete. Every read and write is scoped to
 * the owner: another user's conversation behaves as if it did not exist.
 */
public final class ConversationRepository {

    /** The largest page {@link #list} serves. */
    public static final int MAX_PAGE = 100;

    private final Store store;

    /** A repository over {@code store}. */
    public ConversationRepository(Store store) {
        this.store = store;
    }

    /** Creates a general conversation (UUID4 id) for {@code userId}. */
    public Conversation createGeneral(String userId, String title) {
        return store.inTransaction(session -> createGeneral(session, userId, title));
    }

    /**
     * The museum conversation for {@code ticketId} ({@code id = ticketId}, mode {@code museum}), created for
     * {@code userId} if absent; empty when a conversation with that id belongs to someone else. Does not
     * register the ticket: a museum turn goes through
     * {@link io.dataland.agent.turn.TurnRepository#beginMuseum}, which does both.
     */
    public Optional<Conversation> ensureMuseum(String userId, String ticketId, String title) {
        return Optional.ofNullable(store.inTransaction(session -> ensureMuseum(session, userId, ticketId, title)));
    }

    /** {@code userId}'s conversation {@code id} without messages. */
    public Optional<Conversation> find(String id, String userId) {
        return Optional.ofNullable(store.read(s -> s.getMapper(ConversationMapper.class).findOwned(id, userId)));
    }

    /**
     * {@code userId}'s conversation {@code id} with its messages, images, sources and suggestions, in at
     * most three statements whatever the number of messages (conversation; messages; all children).
     */
    public Optional<ConversationDetail> load(String id, String userId) {
        return store.read(session -> {
            Conversation conversation = session.getMapper(ConversationMapper.class).findOwned(id, userId);
            if (conversation == null) {
                return Optional.empty();
            }
            List<Message> messages = MessageRepository.listWithChildren(session, id);
            return Optional.of(new ConversationDetail(conversation, messages));
        });
    }

    /**
     * One page of {@code userId}'s conversations, newest {@code updated_at} first (ties by id, descending),
     * after {@code before} (null: from the start).
     *
     * @throws IllegalArgumentException when {@code limit} is outside 1..{@link #MAX_PAGE}
     */
    public ConversationPage list(String userId, int limit, ConversationCursor before) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE);
        }
        List<Conversation> rows = store.read(s -> s.getMapper(ConversationMapper.class).listPage(userId,
                before == null ? null : before.updatedAt(), before == null ? null : before.id(), limit + 1));
        if (rows.size() <= limit) {
            return new ConversationPage(rows, null);
        }
        List<Conversation> page = rows.subList(0, limit);
        return new ConversationPage(page, ConversationCursor.after(page.getLast()));
    }

    /** Renames {@code userId}'s conversation; empty when it is not theirs. */
    public Optional<Conversation> rename(String id, String userId, String title) {
        return Optional.ofNullable(store.inTransaction(s -> s.getMapper(ConversationMapper.class).rename(id, userId, title)));
    }

    /**
     * Deletes {@code userId}'s conversation with its messages (their images, sources and suggestions
     * cascade) and its runs, in one transaction; false when it is not theirs (nothing changes).
     */
    public boolean delete(String id, String userId) {
        return store.inTransaction(session -> {
            if (session.getMapper(ConversationMapper.class).lockOwned(id, userId) == null) {
                return false;
            }
            session.getMapper(MessageMapper.class).deleteByConversation(id);
            session.getMapper(RunMapper.class).deleteByConversation(id);
            return session.getMapper(ConversationMapper.class).deleteOwned(id, userId) == 1;
        });
    }

    /**
     * {@link #ensureMuseum(String, String, String)} inside the caller's unit of work: null when the id
     * belongs to another user. One statement, plus a re-read when a concurrent first insert of the same
     * ticket won the race.
     */
    public static Conversation ensureMuseum(SqlSession session, String userId, String ticketId, String title) {
        ConversationMapper conversations = session.getMapper(ConversationMapper.class);
        Conversation conversation = conversations.ensureMuseum(ticketId, userId, title);
        return conversation != null ? conversation : conversations.findOwned(ticketId, userId);
    }

    /** Creates a general conversation inside the caller's unit of work. */
    public static Conversation createGeneral(SqlSession session, String userId, String title) {
        return session.getMapper(ConversationMapper.class)
                .insert(UUID.randomUUID().toString(), userId, title, Conversation.GENERAL);
    }
}
