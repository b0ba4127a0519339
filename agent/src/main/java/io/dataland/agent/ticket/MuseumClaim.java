package io.dataland.agent.ticket;

/**
 * What {@link TicketMapper#registerEnsuringMuseum} found and did.
 *
 * @param userId             the ticket's owner
 * @param inserted           true when the ticket row was created by this statement
 * @param conversationLocked true when the ticket's conversation is the owner's museum conversation, created
 *                           or locked for the append by this statement (false for another user's ticket,
 *                           and for a conversation with the ticket's id that is not the owner's museum one)
 */
public record MuseumClaim(String userId, boolean inserted, boolean conversationLocked) {

    /** The claim as {@link TicketMapper#register} reports it. */
    public TicketClaim ticket() {
        return new TicketClaim(userId, inserted);
    }
}
