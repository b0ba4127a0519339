package io.dataland.auth.throttle;

import java.time.Duration;
import java.util.List;

import io.dataland.kit.http.ApiException;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.UnitOfWork;
import io.helidon.http.Status;

/**
 * Brute-force protection: login attempts are counted per account (the normalised email, whether or not
 * it has an account, so a lock says nothing about existence) and per client address (the TCP peer).
 * Reaching a limit within the window locks that account or address for a while: 429 with
 * {@code Retry-After}, checked before any hashing. The counters live in PostgreSQL, so they hold across
 * restarts and replicas; a successful login clears its account's counter.
 *
 * @param accountLimit failures per account within the window before the lock
 * @param addressLimit failures per client address within the window before the lock
 * @param window       how long failures are remembered
 * @param lock         how long a lock lasts
 */
public record LoginThrottle(UnitOfWork db, int accountLimit, int addressLimit, Duration window,
                            Duration lock) {

    private static final String ACCOUNT = "account";
    private static final String ADDRESS = "address";

    /** From {@code LOGIN_LOCK_ACCOUNT_FAILURES}, {@code LOGIN_LOCK_ADDRESS_FAILURES},
     * {@code LOGIN_LOCK_WINDOW_SECONDS}, {@code LOGIN_LOCK_SECONDS}. */
    public static LoginThrottle from(Settings settings, UnitOfWork db) {
        return new LoginThrottle(db,
                settings.requireInt("LOGIN_LOCK_ACCOUNT_FAILURES", 1, 1_000_000),
                settings.requireInt("LOGIN_LOCK_ADDRESS_FAILURES", 1, 1_000_000),
                Duration.ofSeconds(settings.requireInt("LOGIN_LOCK_WINDOW_SECONDS", 1, 86_400 * 30)),
                Duration.ofSeconds(settings.requireInt("LOGIN_LOCK_SECONDS", 1, 86_400 * 30)));
    }

    /**
     * Counts this attempt against the account and the address, before any hashing, in one statement:
     * 429 {@code too_many_attempts} when either count is over its limit (a lock in force counts as
     * over). Parallel guesses each get their own count from PostgreSQL's row lock, so at most the limit
     * are ever judged. The caller settles a judged attempt with {@link #succeeded} or keeps it as a
     * failure; an attempt that was never judged is given back with {@link #notJudged}.
     */
    public void attempt(String email, String address) {
        int window = (int) window().toSeconds();
        int lock = (int) lock().toSeconds();
        List<ThrottleMapper.Counted> rows = db.inTransaction(session -> session.getMapper(ThrottleMapper.class)
                .attempt(email, address, accountLimit, addressLimit, window, lock));
        long retry = 0;
        for (ThrottleMapper.Counted row : rows) {
            int limit = ACCOUNT.equals(row.scope()) ? accountLimit : addressLimit;
            if (row.failures() > limit) {
                retry = Math.max(retry, row.lockedSeconds() == null ? 1 : row.lockedSeconds());
            }
        }
        if (retry > 0) {
            throw new ApiException(Status.TOO_MANY_REQUESTS_429, "too_many_attempts",
                    "too many failed sign-ins; try again later",
                    // now() is the transaction's start: a racing attempt may see a second more than the lock
                    Duration.ofSeconds(Math.clamp(retry, 1, lock().toSeconds())));
        }
    }

    /** A success: the account's counter starts over, the address gets this attempt back. */
    public void succeeded(String email, String address) {
        db.inTransaction(session -> {
            ThrottleMapper mapper = session.getMapper(ThrottleMapper.class);
            mapper.reset(ACCOUNT, email);
            return mapper.refund(ADDRESS, address, addressLimit);
        });
    }

    /** An attempt counted but never judged (the bulkhead refused it): both counts get it back. */
    public void notJudged(String email, String address) {
        db.inTransaction(session -> {
            ThrottleMapper mapper = session.getMapper(ThrottleMapper.class);
            mapper.refund(ACCOUNT, email, accountLimit);
            return mapper.refund(ADDRESS, address, addressLimit);
        });
    }

    /** Deletes counters that no longer matter. */
    public int purgeExpired() {
        return db.inTransaction(session -> session.getMapper(ThrottleMapper.class).purgeExpired((int) window().toSeconds()));
    }
}
