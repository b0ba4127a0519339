package io.dataland.auth.throttle;

import org.apache.ibatis.annotations.Param;

/** The brute-force counters ({@code auth_login_throttle}); SQL in {@code ThrottleMapper.xml}. */
public interface ThrottleMapper {

    /** Seconds left on the longer of the account's and the address's locks, or null. */
    Long lockedSeconds(@Param("account") String account, @Param("address") String address);

    /** One row's state after {@link #attempt}: its scope, its count, seconds left on its lock (or null). */
    record Counted(String scope, int failures, Long lockedSeconds) {
    }

    /** Counts one attempt for the account and the address in one statement; answers both rows. */
    java.util.List<Counted> attempt(@Param("account") String account, @Param("address") String address,
                                    @Param("accountLimit") int accountLimit, @Param("addressLimit") int addressLimit,
                                    @Param("windowSeconds") int windowSeconds, @Param("lockSeconds") int lockSeconds);

    /** Counts one signup from {@code address} and one globally (scopes {@code signup-address}, {@code signup-global}). */
    java.util.List<Counted> countSignup(@Param("address") String address, @Param("windowSeconds") int windowSeconds);

    /** Gives one counted attempt back to {@code scope}/{@code key}; lifts the lock below {@code limit}. */
    int refund(@Param("scope") String scope, @Param("key") String key, @Param("limit") int limit);

    /** Forgets {@code scope}/{@code key}'s failures. */
    int reset(@Param("scope") String scope, @Param("key") String key);

    /** Deletes rows whose window and lock are both over. */
    int purgeExpired(@Param("windowSeconds") int windowSeconds);
}
