package io.dataland.agent.ticket;

import java.time.OffsetDateTime;

/**
 * A museum ticket (the slim DAT-296 model): one ticket, one user, one museum conversation whose id is
 * the ticket id.
 *
 * @param id        the ticket id (also its conversation's id)
 * @param userId    the user that registered it
 * @param firstSeen when it was registered (UTC)
 */
public record Ticket(String id, String userId, OffsetDateTime firstSeen) {
}
