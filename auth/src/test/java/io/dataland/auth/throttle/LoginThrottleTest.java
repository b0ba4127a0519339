package io.dataland.auth.throttle;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.auth.schema.AuthSchema;
import io.dataland.kit.db.MyBatis;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.http.ApiException;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The PostgreSQL-backed counters directly: the per-address lock, expiry, and the purge. */
@ExtendWith(EmbeddedPostgresExtension.class)
class LoginThrottleTest {

    private static HikariDataSource pool;
    private static UnitOfWork unitOfWork;

    @BeforeAll
    static void setUp(TestDatabase db) {
        pool = db.newDataSource(2);
        AuthSchema.apply(JdbcClientBuilder.create().connectionPool(() -> {
            try {
                return pool.getConnection();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }).build());
        unitOfWork = new UnitOfWork(MyBatis.sessionFactory("t", pool, List.of(ThrottleMapper.class), List.of()));
    }

    @AfterAll
    static void tearDown() {
        pool.close();
    }

    /**
     * Moves the counters of {@code account} and {@code address} {@code by} into the past. The throttle
     * reads PostgreSQL's {@code now()} (one clock for every replica), so a test ages the rows instead of
     * sleeping or injecting a JVM clock. Answers how many counters it found.
     */
    private static int age(String account, String address, Duration by) throws java.sql.SQLException {
        try (java.sql.Connection c = pool.getConnection();
             java.sql.PreparedStatement st = c.prepareStatement("UPDATE auth_login_throttle"
                     + " SET window_started_at = window_started_at - make_interval(secs => ?),"
                     + " locked_until = locked_until - make_interval(secs => ?)"
                     + " WHERE (scope = 'account' AND key = ?) OR (scope = 'address' AND key = ?)")) {
            st.setLong(1, by.toSeconds());
            st.setLong(2, by.toSeconds());
            st.setString(3, account);
            st.setString(4, address);
            int rows = st.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return rows;
        }
    }

    @Test
    void anAddressIsLockedAfterFailuresOnManyAccounts() {
        LoginThrottle throttle = new LoginThrottle(unitOfWork, 100, 4, Duration.ofMinutes(15), Duration.ofMinutes(5));
        for (int i = 0; i < 4; i++) {
            throttle.attempt("victim" + i + "@example.org", "10.0.0.1");
        }
        ApiException locked = assertThrows(ApiException.class, () -> throttle.attempt("fresh@example.org", "10.0.0.1"));
        assertEquals(429, locked.status().code());
        long seconds = locked.retryAfter().orElseThrow().toSeconds();
        assertEquals(true, seconds > 290 && seconds <= 300, "Retry-After " + seconds);
        assertDoesNotThrow(() -> throttle.attempt("fresh@example.org", "10.0.0.2"), "another address is free");
    }

    @Test
    void aLockExpiresAndTheCountStartsOver() throws Exception {
        LoginThrottle throttle = new LoginThrottle(unitOfWork, 2, 100, Duration.ofMinutes(15), Duration.ofSeconds(1));
        throttle.attempt("brief@example.org", "10.0.1.1");
        throttle.attempt("brief@example.org", "10.0.1.1");
        assertThrows(ApiException.class, () -> throttle.attempt("brief@example.org", "10.0.1.1"));
        assertEquals(2, age("brief@example.org", "10.0.1.1", Duration.ofSeconds(2)));
        assertDoesNotThrow(() -> throttle.attempt("brief@example.org", "10.0.1.1"), "one attempt after expiry is not a lock");
    }

    @Test
    void aSuccessGivesTheAddressItsAttemptBackAndAnUnjudgedAttemptIsRefunded() {
        LoginThrottle throttle = new LoginThrottle(unitOfWork, 2, 2, Duration.ofMinutes(15), Duration.ofMinutes(5));
        // a shared address (office NAT) with many successful logins is never locked by them
        for (int i = 0; i < 5; i++) {
            throttle.attempt("colleague" + i + "@example.org", "10.0.3.1");
            throttle.succeeded("colleague" + i + "@example.org", "10.0.3.1");
        }
        assertDoesNotThrow(() -> throttle.attempt("colleague@example.org", "10.0.3.1"));
        // attempts the bulkhead refused were never judged: they do not count
        for (int i = 0; i < 5; i++) {
            throttle.attempt("busy@example.org", "10.0.3.2");
            throttle.notJudged("busy@example.org", "10.0.3.2");
        }
        assertDoesNotThrow(() -> throttle.attempt("busy@example.org", "10.0.3.2"));
    }

    @Test
    void expiredCountersArePurged() throws Exception {
        LoginThrottle throttle = new LoginThrottle(unitOfWork, 100, 100, Duration.ofSeconds(1), Duration.ofSeconds(1));
        throttle.attempt("old@example.org", "10.0.2.1");
        throttle.purgeExpired();
        assertEquals(2, age("old@example.org", "10.0.2.1", Duration.ZERO), "fresh counters stay");
        age("old@example.org", "10.0.2.1", Duration.ofSeconds(2));
        assertEquals(true, throttle.purgeExpired() >= 2);
        assertEquals(0, age("old@example.org", "10.0.2.1", Duration.ZERO), "expired counters are gone");
    }
}
