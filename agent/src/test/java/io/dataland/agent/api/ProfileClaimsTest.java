package io.dataland.agent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The token's profile claims as {@code GET /v1/me} stores and answers them, at the edges: a claim the
 * column cannot usefully hold is ignored like an absent one (the column keeps its value), and a stored
 * value Java cannot answer reads as {@code null}; neither is ever a 500. Through HTTP, against a real agent.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ProfileClaimsTest {

    private static final String JOINED = "2026-01-02T03:04:05Z";

    private static AgentHarness agent;

    @BeforeAll
    static void start(TestDatabase db) {
        agent = AgentHarness.start(db, Map.of());
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static Response me(String sub, Map<String, ?> claims) {
        Response r = agent.get("/v1/me", agent.mint().token(sub, claims));
        assertEquals(200, r.status(), claims + ": " + r.body());
        return r;
    }

    private static String newSub() {
        return "profile-" + UUID.randomUUID();
    }

    @Test
    void aJoinedDateOutsideTheYears1To9999IsIgnoredLikeAnAbsentClaim() {
        String sub = newSub();
        assertEquals(JOINED, me(sub, Map.of("joined_date", JOINED)).json().get("joined_date").asText());
        for (Object unusable : List.of(1_000_000_000_000_000_000L, -1_000_000_000_000_000_000L, 1e300,
                BigInteger.TEN.pow(30), BigInteger.TWO.pow(64).add(BigInteger.valueOf(1_700_000_000L)),
                "-4713-01-01T00:00:00Z", "0000-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "not a date")) {
            assertEquals(JOINED, me(sub, Map.of("joined_date", unusable)).json().get("joined_date").asText(),
                    "ignored: " + unusable);
            assertEquals(200, agent.get("/v1/me", agent.token(sub)).status(), "the user is not poisoned");
        }
        assertEquals("2026-01-02 03:04:05+00", agent.text("SELECT joined_date FROM users WHERE id = '" + sub + "'"));
    }

    @Test
    void theEdgesOfTheRangeAreStored() {
        String sub = newSub();
        assertEquals("0001-01-01T00:00:00Z",
                me(sub, Map.of("joined_date", "0001-01-01T00:00:00Z")).json().get("joined_date").asText());
        assertEquals("9999-12-31T23:59:59Z",
                me(sub, Map.of("joined_date", "9999-12-31T23:59:59Z")).json().get("joined_date").asText());
    }

    @Test
    void anAccessPermissionsClaimThatIsNotAListIsIgnoredLikeAnAbsentClaim() {
        String fresh = newSub();
        assertTrue(me(fresh, Map.of("access_permissions", "admin")).json().get("access_permissions").isNull());
        String sub = newSub();
        assertEquals("[\"museum\",\"staff\"]", me(sub, Map.of("access_permissions", List.of("museum", "staff")))
                .json().get("access_permissions").asText(), "a list is stored JSON-encoded");
        for (Object notAList : List.of("admin", "[\"admin\"]", 5, true, Map.of("role", "admin"))) {
            assertEquals("[\"museum\",\"staff\"]", me(sub, Map.of("access_permissions", notAList))
                    .json().get("access_permissions").asText(), "ignored: " + notAList);
        }
        assertEquals("[\"museum\",\"staff\"]", agent.text("SELECT access_permissions FROM users WHERE id = '" + sub + "'"));
    }

    @Test
    void aSubOfUpTo255CharactersIsAUserALongerOneIsRefused() {
        String unique = UUID.randomUUID().toString();
        assertEquals(255, me(unique + "x".repeat(255 - unique.length()), Map.of()).json().get("id").asText().length());
        String tickets = unique + "\uD83C\uDFAB".repeat(255 - unique.length());
        assertEquals(tickets, me(tickets, Map.of()).json().get("id").asText(), "255 characters, 4 bytes each");
        Response tooLong = agent.get("/v1/me", agent.token(unique + "x".repeat(256 - unique.length())));
        assertEquals(401, tooLong.status(), tooLong.body());
        assertEquals("unauthorized", tooLong.error());
    }

    @Test
    void aStoredJoinedDateJavaCannotAnswerReadsAsNull() {
        for (String stored : List.of("infinity", "-infinity", "4714-11-24 00:00:00+00 BC", "20000-01-01 00:00:00+00")) {
            String sub = newSub();
            agent.count("WITH i AS (INSERT INTO users (id, joined_date, created_at) VALUES ('" + sub + "', '"
                    + stored + "', now()) RETURNING 1) SELECT count(*) FROM i");
            Response r = me(sub, Map.of());
            assertTrue(r.json().get("joined_date").isNull(), stored + ": " + r.body());
            // a token bringing a usable joined_date replaces it
            assertEquals(JOINED, me(sub, Map.of("joined_date", JOINED)).json().get("joined_date").asText());
        }
    }
}
