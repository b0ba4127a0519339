package io.dataland.agent.ticket;

import org.apache.ibatis.annotations.Param;

/** SQL for {@code tickets} (TicketMapper.xml). */
public interface TicketMapper {

    /**
     * Inserts the ticket for {@code userId} unless it exists, never overwriting an owner; returns the
     * owner and whether it was inserted, or {@code null} when a concurrent first registration committed
     * after this statement's snapshot (the caller re-reads with {@link #findById}).
     */
    TicketClaim register(@Param("id") String id, @Param("userId") String userId);

    /**
     * As {@link #register} and, when the ticket is {@code userId}'s, as
     * {@code ConversationMapper.ensureMuseum} on the conversation {@code id}, in one statement; {@code null}
     * in {@link #register}'s race (the caller takes the two steps apart).
     */
    MuseumClaim registerEnsuringMuseum(@Param("id") String id, @Param("userId") String userId,
                                       @Param("title") String title);

    /** The ticket, or {@code null}. */
    Ticket findById(@Param("id") String id);
}
