package io.dataland.agent.chat;

import io.dataland.agent.ticket.TicketRegistration;

/** The first step of a museum turn: started, or refused because the ticket is another user's. */
public sealed interface MuseumStart {

    /**
     * The ticket is the caller's (newly or already) and the turn has begun.
     *
     * @param registration {@link TicketRegistration#REGISTERED} or {@link TicketRegistration#ALREADY_REGISTERED}
     * @param start        what was written
     */
    record Started(TicketRegistration registration, TurnStart start) implements MuseumStart {
    }

    /** The ticket (or a conversation with its id) belongs to another user; nothing was written. */
    record OwnedByOtherUser() implements MuseumStart {
    }
}
