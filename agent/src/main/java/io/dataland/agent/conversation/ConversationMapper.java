package io.dataland.agent.conversation;

import java.time.OffsetDateTime;
import java.util.List;

import org.apache.ibatis.annotations.Param;

/** SQL for {@code conversations} (ConversationMapper.xml). */
public interface ConversationMapper {

    /** Inserts a conversation (created and updated now) and returns it. */
    Conversation insert(@Param("id") String id, @Param("userId") String userId, @Param("title") String title,
                        @Param("mode") String mode);

    /**
     * Creates the museum conversation {@code id} for {@code userId} unless a conversation with that id
     * exists; when it is {@code userId}'s, locks it for the rest of the transaction and bumps its
     * {@code updated_at} (as {@link #touchOwned}) and returns it; {@code null} when it is someone else's.
     */
    Conversation ensureMuseum(@Param("id") String id, @Param("userId") String userId, @Param("title") String title);

    /**
     * The reload, in one round trip: three result sets, {@code userId}'s conversation {@code id} (a
     * {@link Conversation}; none when it is not theirs, and then the others are empty too), its messages
     * in {@code seq} order ({@code MessageRow}) and their children ({@code MessageChildRow}, ordered
     * within each message and kind).
     */
    List<List<?>> loadOwned(@Param("id") String id, @Param("userId") String userId);

    /** {@code userId}'s conversation {@code id}, locked until commit, or {@code null}. */
    Conversation lockOwned(@Param("id") String id, @Param("userId") String userId);

    /**
     * Up to {@code limit} of {@code userId}'s conversations, (updated_at desc, id desc), strictly after
     * ({@code beforeUpdatedAt}, {@code beforeId}) when those are set.
     */
    List<Conversation> listPage(@Param("userId") String userId, @Param("beforeUpdatedAt") OffsetDateTime beforeUpdatedAt,
                                @Param("beforeId") String beforeId, @Param("limit") int limit);

    /** Renames {@code userId}'s conversation (bumping {@code updated_at}); returns it or {@code null}. */
    Conversation rename(@Param("id") String id, @Param("userId") String userId, @Param("title") String title);

    /**
     * Locks {@code userId}'s conversation row for the rest of the transaction and sets its
     * {@code updated_at} to now; returns its id, or {@code null} when it is not {@code userId}'s.
     */
    String touchOwned(@Param("id") String id, @Param("userId") String userId);

    /** Deletes {@code userId}'s conversation row (its messages and runs must be gone); returns how many. */
    int deleteOwned(@Param("id") String id, @Param("userId") String userId);
}
