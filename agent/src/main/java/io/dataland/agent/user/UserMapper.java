package io.dataland.agent.user;

import org.apache.ibatis.annotations.Param;

/** SQL for {@code users} (UserMapper.xml). */
public interface UserMapper {

    /**
     * Inserts the row for {@code claims.sub}, or refreshes the profile columns whose claim differs, in one
     * statement; returns the row either way, or {@code null} in the rare race where a concurrent first
     * insert of the same {@code sub} committed after this statement's snapshot (the caller re-reads).
     */
    User upsert(@Param("claims") UserClaims claims);

    /** The row for {@code id}, or {@code null}. */
    User findById(@Param("id") String id);
}
