package io.dataland.agent.chat;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.dataland.agent.conversation.Conversation;
import io.dataland.agent.conversation.ConversationMapper;
import io.dataland.agent.conversation.ConversationRepository;
import io.dataland.agent.message.Message;
import io.dataland.agent.message.MessageRepository;
import io.dataland.agent.message.NewMessage;
import io.dataland.agent.model.ModelRequest;
import io.dataland.agent.run.Run;
import io.dataland.agent.run.RunMapper;
import io.dataland.agent.ticket.MuseumClaim;
import io.dataland.agent.ticket.TicketMapper;
import io.dataland.agent.ticket.TicketRegistration;
import io.dataland.agent.ticket.TicketRepository;
import org.apache.ibatis.session.SqlSession;

/**
 * The writes of one agent turn, in two units of work, so a failure in the middle of either leaves
 * nothing of it behind:
 *
 * <ol>
 *   <li>begin ({@link #beginMuseum}, {@link #beginNewGeneral}, {@link #begin}): append the user message
 *       (next {@code seq}), open the run it points at and read the history the model is sent; the museum
 *       variant first registers the ticket and ensures the conversation {@code id = ticket_id};</li>
 *   <li>{@link #finish}: append the assistant message with its images, sources and suggestions, and
 *       close the run (also for an errored or cancelled run, with the partial text or none).</li>
 * </ol>
 *
 * The model call runs between the two, outside any transaction.
 */
public final class TurnRepository {

    private TurnRepository() {
    }

    /**
     * Begins a turn in {@code userId}'s existing conversation, with up to {@code historyTurns} earlier
     * messages; empty (nothing written) when the conversation is unknown or another user's.
     */
    public static Optional<TurnStart> begin(SqlSession session, String conversationId, String userId, String userText,
                                     int historyTurns) {
        return begin(session, UUID.randomUUID().toString(), conversationId, userId, userText, historyTurns);
    }

    /** As {@link #begin(SqlSession, String, String, String, int)}, the run's id chosen by the caller. */
    public static Optional<TurnStart> begin(SqlSession session, String runId, String conversationId, String userId,
                                     String userText, int historyTurns) {
        if (session.getMapper(ConversationMapper.class).touchOwned(conversationId, userId) == null) {
            return Optional.empty();
        }
        return Optional.of(beginLocked(session, runId, conversationId, userId, userText, historyTurns));
    }

    /**
     * The user message and its run (one statement) and the history, once the conversation row is
     * locked by this transaction.
     */
    private static TurnStart beginLocked(SqlSession session, String runId, String conversationId, String userId,
                                         String userText, int historyTurns) {
        Message message = MessageRepository.appendOpeningRun(session, conversationId, userId, NewMessage.user(userText, runId));
        // the row the statement inserted: started_at = now(), the transaction's start, as the message's created_at
        Run run = new Run(runId, conversationId, userId, message.createdAt(), null, null, null, null, null, null, null);
        return new TurnStart(conversationId, run, message, history(session, conversationId, message.id(), historyTurns));
    }

    /** Creates a general conversation titled {@code title} and begins its first turn. */
    public static TurnStart beginNewGeneral(SqlSession session, String userId, String title, String userText, int historyTurns) {
        return beginNewGeneral(session, UUID.randomUUID().toString(), userId, title, userText, historyTurns);
    }

    /** As {@link #beginNewGeneral(SqlSession, String, String, String, int)}, the run's id chosen by the caller. */
    public static TurnStart beginNewGeneral(SqlSession session, String runId, String userId, String title, String userText,
                                            int historyTurns) {
        Conversation conversation = ConversationRepository.createGeneral(session, userId, title);
        return begin(session, runId, conversation.id(), userId, userText, historyTurns).orElseThrow();
    }

    /**
     * Registers {@code ticketId} for {@code userId} (idempotent), ensures its museum conversation
     * (titled {@code title} when created) and begins a turn there. A ticket held by another user changes
     * nothing and answers {@link MuseumStart.OwnedByOtherUser}; an id taken by a conversation that is not
     * {@code userId}'s museum conversation changes nothing and answers {@link MuseumStart.IdTaken}.
     */
    public static MuseumStart beginMuseum(SqlSession session, String userId, String ticketId, String title, String userText,
                                   int historyTurns) {
        return beginMuseum(session, UUID.randomUUID().toString(), userId, ticketId, title, userText, historyTurns);
    }

    /** As {@link #beginMuseum(SqlSession, String, String, String, String, int)}, the run's id chosen by the caller. */
    public static MuseumStart beginMuseum(SqlSession session, String runId, String userId, String ticketId, String title,
                                   String userText, int historyTurns) {
        // ticket and conversation (created, or locked for the append) in one statement
        MuseumClaim claim = session.getMapper(TicketMapper.class).registerEnsuringMuseum(ticketId, userId, title);
        TicketRegistration registration;
        boolean locked;
        if (claim != null) {
            registration = TicketRepository.registration(claim.ticket(), userId);
            locked = claim.conversationLocked();
        } else {
            // a concurrent first registration committed after the statement's snapshot: the two steps apart
            registration = TicketRepository.register(session, ticketId, userId);
            locked = registration.usable() && ConversationRepository.ensureMuseum(session, userId, ticketId, title).isPresent();
        }
        if (!registration.usable()) {
            return new MuseumStart.OwnedByOtherUser();
        }
        if (!locked) {
            // a conversation with the ticket's id is another user's, or a general one: undo the registration above
            session.rollback(true);
            return new MuseumStart.IdTaken();
        }
        return new MuseumStart.Started(registration, beginLocked(session, runId, ticketId, userId, userText, historyTurns));
    }

    /**
     * Ends a turn: appends the assistant message (when {@code assistantText} is not null) and closes the
     * run. Empty (nothing written) when the conversation or the run is no longer {@code userId}'s, e.g.
     * the conversation was deleted while the model was answering.
     */
    public static Optional<TurnEnd> finish(SqlSession session, FinishTurn finish) {
        RunMapper runs = session.getMapper(RunMapper.class);
        String status = finish.outcome().status().value();
        // with an answer to append, the run's close also takes the conversation's append lock (one statement)
        Run run = finish.assistantText() == null
                ? runs.close(finish.runId(), finish.userId(), finish.outcome(), status)
                : runs.closeLockingConversation(finish.runId(), finish.conversationId(), finish.userId(),
                        finish.outcome(), status);
        if (run == null || !run.conversationId().equals(finish.conversationId())) {
            session.rollback(true);
            return Optional.empty();
        }
        Optional<Message> answer = Optional.empty();
        if (finish.assistantText() != null) {
            answer = Optional.of(MessageRepository.appendLocked(session, finish.conversationId(),
                    NewMessage.assistant(finish.assistantText(), finish.runId(), finish.images(),
                            finish.sources(), finish.suggestions())));
        }
        return Optional.of(new TurnEnd(run, answer));
    }

    /** The {@code wanted} messages before {@code current}, oldest first; no statement when none is wanted. */
    private static List<ModelRequest.Turn> history(SqlSession session, String conversationId, String current, int wanted) {
        if (wanted == 0) {
            return List.of();
        }
        return MessageRepository.recent(session, conversationId, wanted + 1).stream()
                .filter(m -> !m.id().equals(current))
                .map(m -> new ModelRequest.Turn(m.role(), m.text()))
                .toList();
    }
}
