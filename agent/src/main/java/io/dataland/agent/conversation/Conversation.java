package io.dataland.agent.conversation;

import java.time.OffsetDateTime;

/**
 * A conversation without its messages ({@code conversations} row, minus the legacy
 * {@code messages_json} blob).
 *
 * @param id        UUID4 for general conversations; the ticket id for museum ones
 * @param userId    owner
 * @param title     title (nullable)
 * @param mode      {@link #GENERAL} or {@link #MUSEUM} (null for some historical rows)
 * @param createdAt created (UTC)
 * @param updatedAt last message or rename (UTC)
 */
public record Conversation(String id, String userId, String title, String mode, OffsetDateTime createdAt,
                           OffsetDateTime updatedAt) {

    /** Mode of a general conversation. */
    public static final String GENERAL = "general";
    /** Mode of a museum conversation ({@code id = ticket_id}). */
    public static final String MUSEUM = "museum";
}
