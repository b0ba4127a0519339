package io.dataland.agent.turn;

import java.util.Optional;
import java.util.UUID;

import io.dataland.agent.conversation.Conversation;
import io.dataland.agent.conversation.ConversationRepository;
import io.dataland.agent.message.Message;
import io.dataland.agent.message.MessageRepository;
import io.dataland.agent.message.NewMessage;
import io.dataland.agent.run.Run;
import io.dataland.agent.run.RunMapper;
import io.dataland.agent.store.Store;
import io.dataland.agent.ticket.TicketRegistration;
import io.dataland.agent.ticket.TicketRepository;
import org.apache.ibatis.session.SqlSession;

/**
 * The writes of one agent turn, in two steps of one transaction each, so a failure in the middle of a
 * step leaves nothing of it behind:
 *
 * <ol>
 *   <li>begin ({@link #beginMuseum}, {@link #beginNewGeneral}, {@link #begin}): append the user message
 *       (next {@code seq}) and open the run it points at; the museum variant first registers the ticket
 *       and ensures the conversation {@code id = ticket_id};</li>
 *   <li>{@link #finish}: append the assistant message with its images, sources and suggestions, and
 *       close the run (also for an errored or cancelled run, with the partial text or none).</li>
 * </ol>
 *
 * The model call runs between the two, outside any transaction.
 */
public final class TurnRepository {

    private final Store store;

    /** A repository over {@code store}. */
    public TurnRepository(Store store) {
        this.store = store;
    }

    /**
     * Begins a turn in {@code userId}'s existing conversation; empty (nothing written) when the
     * conversation is unknown or another user's.
     */
    public Optional<TurnStart> begin(String conversationId, String userId, String userText) {
        return store.inTransaction(session -> begin(session, conversationId, userId, userText));
    }

    /** Creates a general conversation titled {@code title} and begins its first turn, in one transaction. */
    public TurnStart beginNewGeneral(String userId, String title, String userText) {
        return store.inTransaction(session -> {
            Conversation conversation = ConversationRepository.createGeneral(session, userId, title);
            return begin(session, conversation.id(), userId, userText).orElseThrow();
        });
    }

    /**
     * Registers {@code ticketId} for {@code userId} (idempotent), ensures its museum conversation
     * (titled {@code title} when created) and begins a turn there, in one transaction. A ticket held by
     * another user changes nothing and answers {@link MuseumStart.OwnedByOtherUser}.
     */
    public MuseumStart beginMuseum(String userId, String ticketId, String title, String userText) {
        return store.inTransaction(session -> {
            TicketRegistration registration = TicketRepository.register(session, ticketId, userId);
            if (!registration.usable()) {
                return new MuseumStart.OwnedByOtherUser();
            }
            if (ConversationRepository.ensureMuseum(session, userId, ticketId, title) == null) {
                // a conversation with the ticket's id exists for another user: refuse; rolled back with
                // the registration above
                session.rollback(true);
                return new MuseumStart.OwnedByOtherUser();
            }
            return new MuseumStart.Started(registration, begin(session, ticketId, userId, userText).orElseThrow());
        });
    }

    /**
     * Ends a turn: appends the assistant message (when {@code assistantText} is not null) and closes the
     * run, in one transaction. Empty (nothing written) when the conversation or the run is no longer
     * {@code userId}'s, e.g. the conversation was deleted while the model was answering.
     */
    public Optional<TurnEnd> finish(FinishTurn finish) {
        return store.inTransaction(session -> {
            Optional<Message> answer = Optional.empty();
            if (finish.assistantText() != null) {
                answer = MessageRepository.append(session, finish.conversationId(), finish.userId(),
                        NewMessage.assistant(finish.assistantText(), finish.runId(), finish.images(),
                                finish.sources(), finish.suggestions()));
                if (answer.isEmpty()) {
                    return Optional.empty();
                }
            }
            Run run = session.getMapper(RunMapper.class)
                    .close(finish.runId(), finish.userId(), finish.outcome(), finish.outcome().status().value());
            if (run == null || !run.conversationId().equals(finish.conversationId())) {
                session.rollback(true);
                return Optional.empty();
            }
            return Optional.of(new TurnEnd(run, answer));
        });
    }

    private static Optional<TurnStart> begin(SqlSession session, String conversationId, String userId, String userText) {
        String runId = UUID.randomUUID().toString();
        Optional<Message> message = MessageRepository.append(session, conversationId, userId, NewMessage.user(userText, runId));
        if (message.isEmpty()) {
            return Optional.empty();
        }
        Run run = session.getMapper(RunMapper.class).open(runId, conversationId, userId);
        return Optional.of(new TurnStart(conversationId, run, message.get()));
    }
}
