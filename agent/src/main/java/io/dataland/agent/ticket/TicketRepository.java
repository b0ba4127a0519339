package io.dataland.agent.ticket;

import java.util.Optional;

import io.dataland.agent.store.Store;
import org.apache.ibatis.session.SqlSession;

/** Registers museum tickets: idempotent for their owner, refused (never overwritten) for anyone else. */
public final class TicketRepository {

    private final Store store;

    /** A repository over {@code store}. */
    public TicketRepository(Store store) {
        this.store = store;
    }

    /** Registers {@code ticketId} for {@code userId} in its own transaction. */
    public TicketRegistration register(String ticketId, String userId) {
        return store.inTransaction(session -> register(session, ticketId, userId));
    }

    /** The ticket, if registered. */
    public Optional<Ticket> find(String ticketId) {
        return Optional.ofNullable(store.read(s -> s.getMapper(TicketMapper.class).findById(ticketId)));
    }

    /**
     * Registers {@code ticketId} for {@code userId} inside the caller's unit of work (one statement unless
     * a concurrent first registration of the same ticket raced it).
     */
    public static TicketRegistration register(SqlSession session, String ticketId, String userId) {
        TicketMapper tickets = session.getMapper(TicketMapper.class);
        TicketClaim claim = tickets.register(ticketId, userId);
        if (claim == null) {
            Ticket ticket = tickets.findById(ticketId);
            claim = new TicketClaim(ticket.userId(), false);
        }
        if (!claim.userId().equals(userId)) {
            return TicketRegistration.OWNED_BY_OTHER_USER;
        }
        return claim.inserted() ? TicketRegistration.REGISTERED : TicketRegistration.ALREADY_REGISTERED;
    }
}
