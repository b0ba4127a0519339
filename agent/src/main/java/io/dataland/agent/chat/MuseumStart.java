package io.dataland.agent.chat;

import io.dataland.agent.ticket.TicketRegistration;

/**
 * The first step of a museum turn: started, or refused because the ticket is another user's, or because
 * its id is taken by a conversation that is not the caller's museum conversation.
 */
public sealed interface MuseumStart {

    /**
     * The ticket is the caller's (newly or already) and the turn has begun.
     *
     * @param registration {@link TicketRegistration#REGISTERED} or {@link TicketRegistration#ALREADY_REGISTERED}
     * @param start        what was written
     */
    record Started(TicketRegistration registration, TurnStart start) implements MuseumStart {
    }

    /** The ticket is registered to another user; nothing was written. */
    record OwnedByOtherUser() implements MuseumStart {
    }

    /**
     * A conversation with the ticket's id exists and is not the caller's museum conversation: a general
     * conversation, the caller's or another user's (which of the two is not told); nothing was written.
     */
    record IdTaken() implements MuseumStart {
    }
}
