package io.dataland.auth.throttle;

import org.apache.ibatis.annotations.Param;

/** The brute-force counters ({@code auth_login_throttle}); SQL in {@code ThrottleMapper.xml}. */
public interface ThrottleMapper {

    /** Seconds left on the longer of the account's and the address's locks, or null. */
    Long lockedSeconds(@Param("account") String account, @Param("address") String address);

    /** Counts one failure for {@code scope}/{@code key}, locking at {@code limit}. */
    int recordFailure(@Param("scope") String scope, @Param("key") String key, @Param("limit") int limit,
                      @Param("windowSeconds") int windowSeconds, @Param("lockSeconds") int lockSeconds);

    /** Forgets {@code scope}/{@code key}'s failures. */
    int reset(@Param("scope") String scope, @Param("key") String key);

    /** Deletes rows whose window and lock are both over. */
    int purgeExpired(@Param("windowSeconds") int windowSeconds);
}
