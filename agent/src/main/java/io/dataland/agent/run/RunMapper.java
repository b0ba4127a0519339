package io.dataland.agent.run;

import org.apache.ibatis.annotations.Param;

/** SQL for {@code runs} (RunMapper.xml). */
public interface RunMapper {

    /** Closes {@code userId}'s run {@code id} (finished now) and returns it, or {@code null} if not theirs. */
    Run close(@Param("id") String id, @Param("userId") String userId, @Param("outcome") RunOutcome outcome,
              @Param("status") String status);

    /**
     * Locks {@code userId}'s conversation {@code conversationId} for an append (bumping its
     * {@code updated_at}) and closes {@code userId}'s run {@code id} in it, in one statement; returns the
     * run, or {@code null} when either is not {@code userId}'s (or the run is another conversation's).
     */
    Run closeLockingConversation(@Param("id") String id, @Param("conversationId") String conversationId,
                                 @Param("userId") String userId, @Param("outcome") RunOutcome outcome,
                                 @Param("status") String status);

    /** {@code userId}'s run {@code id}, or {@code null}. */
    Run findOwned(@Param("id") String id, @Param("userId") String userId);

    /** {@code pg_try_advisory_xact_lock(key)}: whether this transaction got the lock. */
    boolean tryReaperLock(@Param("key") long key);

    /** Closes as {@code error} with {@code reason} every open run started more than {@code olderThanSeconds} ago. */
    int closeOrphans(@Param("reason") String reason, @Param("olderThanSeconds") double olderThanSeconds);

    /** Deletes the runs of a conversation; returns how many. */
    int deleteByConversation(@Param("conversationId") String conversationId);
}
