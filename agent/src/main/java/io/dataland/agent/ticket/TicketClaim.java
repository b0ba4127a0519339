package io.dataland.agent.ticket;

/**
 * What {@link TicketMapper#register} found: the ticket's owner and whether this statement inserted it.
 *
 * @param userId   the owner
 * @param inserted true when the row was created by this statement
 */
public record TicketClaim(String userId, boolean inserted) {
}
