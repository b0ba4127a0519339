package io.dataland.agent.ticket;

/** The outcome of registering a ticket for a user. */
public enum TicketRegistration {
    /** The ticket was new and is now the caller's. */
    REGISTERED,
    /** The ticket was already the caller's: nothing changed. */
    ALREADY_REGISTERED,
    /** The ticket belongs to another user: nothing changed (HTTP 403 {@code ticket_owned_by_other_user}). */
    OWNED_BY_OTHER_USER;

    /** Whether the caller may use the ticket. */
    public boolean usable() {
        return this != OWNED_BY_OTHER_USER;
    }
}
