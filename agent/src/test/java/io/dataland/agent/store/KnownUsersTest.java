package io.dataland.agent.store;

import static io.dataland.agent.testing.TestData.claims;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.dataland.agent.user.KnownUsers;
import io.dataland.agent.user.UserClaims;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The bounded, expiring users cache: statements counted, its clock moved by hand. */
@ExtendWith(EmbeddedPostgresExtension.class)
class KnownUsersTest {

    private static DbFixture fx;
    private final AtomicLong clock = new AtomicLong();

    @BeforeAll
    static void setUp(TestDatabase db) {
        fx = DbFixture.open(db, 2);
    }

    @AfterAll
    static void tearDown() {
        fx.close();
    }

    private KnownUsers cache(int capacity) {
        return new KnownUsers(fx.db(), capacity, Duration.ofSeconds(30), clock::get);
    }

    @Test
    void sameClaimsWithinTheTtlCostNoStatementAndExpire() {
        KnownUsers users = cache(10);
        UserClaims claims = claims("sub-" + UUID.randomUUID()).fullName("Ada").build();
        users.get(claims);
        fx.counter().reset();
        assertEquals("Ada", users.get(claims).fullName());
        assertEquals(0, fx.counter().count(), "remembered");

        clock.addAndGet(Duration.ofSeconds(30).toNanos());
        users.get(claims);
        assertEquals(1, fx.counter().count(), "expired: one read, no write");
    }

    @Test
    void changedClaimsMissTheCacheAndRefreshTheRow() {
        KnownUsers users = cache(10);
        String sub = "sub-" + UUID.randomUUID();
        users.get(claims(sub).fullName("Old").build());
        assertEquals("New", users.get(claims(sub).fullName("New").build()).fullName());
        fx.counter().reset();
        assertEquals("New", users.get(claims(sub).fullName("New").build()).fullName());
        assertEquals(0, fx.counter().count());
    }

    @Test
    void holdsNoMoreThanItsCapacity() {
        KnownUsers users = cache(4);
        for (int i = 0; i < 20; i++) {
            users.get(claims("sub-" + UUID.randomUUID()).build());
        }
        assertTrue(users.size() <= 4, "size " + users.size());
    }

    @Test
    void zeroTtlRemembersNothing() {
        KnownUsers users = new KnownUsers(fx.db(), 10, Duration.ZERO, clock::get);
        UserClaims claims = claims("sub-" + UUID.randomUUID()).build();
        users.get(claims);
        fx.counter().reset();
        users.get(claims);
        assertEquals(1, fx.counter().count());
    }
}
