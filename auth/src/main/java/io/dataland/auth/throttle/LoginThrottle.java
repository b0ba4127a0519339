package io.dataland.auth.throttle;

import java.time.Duration;

import io.dataland.kit.http.ApiException;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.UnitOfWork;
import io.helidon.http.Status;

/**
 * Brute-force protection: failed logins are counted per account (the normalised email, whether or not
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

    /** 429 {@code too_many_attempts} when the account or the address is locked. */
    public void check(String email, String address) {
        Long seconds = db.read(session -> session.getMapper(ThrottleMapper.class).lockedSeconds(email, address));
        if (seconds != null) {
            throw new ApiException(Status.TOO_MANY_REQUESTS_429, "too_many_attempts",
                    "too many failed sign-ins; try again later", Duration.ofSeconds(Math.max(1, seconds)));
        }
    }

    /** Counts a failed attempt against both the account and the address. */
    public void recordFailure(String email, String address) {
        int window = (int) window().toSeconds();
        int lock = (int) lock().toSeconds();
        db.inTransaction(session -> {
            ThrottleMapper mapper = session.getMapper(ThrottleMapper.class);
            mapper.recordFailure(ACCOUNT, email, accountLimit, window, lock);
            mapper.recordFailure(ADDRESS, address, addressLimit, window, lock);
            return null;
        });
    }

    /** A success: the account's counter starts over (the address's does not). */
    public void recordSuccess(String email) {
        db.inTransaction(session -> session.getMapper(ThrottleMapper.class).reset(ACCOUNT, email));
    }

    /** Deletes counters that no longer matter. */
    public int purgeExpired() {
        return db.inTransaction(session -> session.getMapper(ThrottleMapper.class).purgeExpired((int) window().toSeconds()));
    }
}
