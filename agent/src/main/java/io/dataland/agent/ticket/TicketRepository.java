package io.dataland.agent.ticket;

import org.apache.ibatis.session.SqlSession;

/** Registers museum tickets: idempotent for their owner, refused (never overwritten) for anyone else. */
public final class TicketRepository {

    private TicketRepository() {
    }

    /**
     * Registers {@code ticketId} for {@code userId} (one statement unless
     * a concurrent first registration of the same ticket raced it).
     */
    public static TicketRegistration register(SqlSession session, String ticketId, String userId) {
        TicketMapper tickets = session.getMapper(TicketMapper.class);
        TicketClaim claim = tickets.register(ticketId, userId);
        if (claim == null) {
            Ticket ticket = tickets.findById(ticketId);
            claim = new TicketClaim(ticket.userId(), false);
        }
        return registration(claim, userId);
    }

    /** What {@code claim} (of {@link TicketMapper#register} or {@link TicketMapper#registerEnsuringMuseum}) means for {@code userId}. */
    public static TicketRegistration registration(TicketClaim claim, String userId) {
        if (!claim.userId().equals(userId)) {
            return TicketRegistration.OWNED_BY_OTHER_USER;
        }
        return claim.inserted() ? TicketRegistration.REGISTERED : TicketRegistration.ALREADY_REGISTERED;
    }
}
