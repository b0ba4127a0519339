package io.dataland.agent.api;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataland.agent.testing.AgentHarness;
import io.dataland.agent.testing.TokenMint;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.ApiClient.Response;
import io.dataland.testkit.api.ContractSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.dataland.agent.testing.TokenMint.b64;
import static io.dataland.testkit.api.ApiClient.quote;
import static io.dataland.testkit.api.ContractSuite.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code /v1} route of docs/api.md and every error status, over real HTTP, tokens and PostgreSQL:
 * the contract suite (testkit {@link ContractSuite}, which the fleet test runs through HAProxy too) against
 * one agent, and what only a harness can check (claims of the test key's choosing, tokens made with the
 * trusted key, the instance's metrics).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ApiContractTest {

    private static AgentHarness agent;

    @BeforeAll
    static void start(TestDatabase db) {
        agent = AgentHarness.start(db, Map.of());
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static String user() {
        return "user-" + UUID.randomUUID();
    }

    @TestFactory
    Stream<DynamicTest> contract() {
        return new ContractSuite(agent, () -> agent.token(user()), agent.store()).tests();
    }

    // --- trust -----------------------------------------------------------------------------------

    @Test
    void meCreatesAndRefreshesTheUserRowFromClaims() {
        String sub = user();
        Response first = agent.get("/v1/me", agent.mint().token(sub, Map.of("email", sub + "@example.org",
                "full_name", "Ada", "access_permissions", List.of("museum"), "joined_date", "2026-01-02T03:04:05Z")));
        assertEquals(200, first.status(), first.body());
        JsonNode me = first.json();
        assertEquals(sub, me.get("id").asText());
        assertEquals("Ada", me.get("full_name").asText());
        assertEquals("[\"museum\"]", me.get("access_permissions").asText());
        assertEquals("2026-01-02T03:04:05Z", me.get("joined_date").asText());
        assertTrue(me.has("location") && me.get("location").isNull());
        assertTrue(me.has("stripe_customer_id") && me.has("profile_photo_url"));
        OffsetDateTime.parse(me.get("created_at").asText());
        Response second = agent.get("/v1/me", agent.mint().token(sub, Map.of("full_name", "Ada L.", "location", "Berlin")));
        assertEquals("Ada L.", second.json().get("full_name").asText());
        assertEquals("Berlin", second.json().get("location").asText());
        assertEquals(sub + "@example.org", second.json().get("email").asText(), "absent claim keeps the column");
        assertEquals(1, agent.count("SELECT count(*) FROM users WHERE id = '" + sub + "'"));
    }

    @Test
    void tokensOnlyTheTrustedKeyCouldHaveMadeAreStill401() throws Exception {
        // the black-box forgeries are the suite's; these need the trusted key pair itself
        String before = agent.snapshot();
        long exp = Instant.now().getEpochSecond() + 600;
        // HS256 keyed with the trusted RSA public key's bytes: the classic algorithm-confusion attack
        String hsInput = b64("{\"alg\":\"HS256\",\"kid\":\"test-key-1\"}") + "." + b64("{\"sub\":\"x\",\"exp\":" + exp + "}");
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(agent.mint().pair().getPublic().getEncoded(), "HmacSHA256"));
        String hs256 = hsInput + "." + b64(mac.doFinal(hsInput.getBytes(StandardCharsets.US_ASCII)));
        List<String> refused = List.of(hs256,
                agent.mint().builder("x").expiration(Date.from(Instant.now().minusSeconds(3600))).compact(),
                agent.mint().builder("x").expiration(null).compact(),
                TokenMint.create("stranger").token("x"));
        for (String token : refused) {
            Response r = agent.get("/v1/me", token);
            ContractSuite.assertError(r, 401, "unauthorized");
            assertEquals("Bearer", r.header("WWW-Authenticate"));
        }
        assertEquals(before, agent.snapshot(), "nothing written for refused tokens");
    }

    @Test
    void metricsCoverRequestsRunsModelStatementsAndPool() {
        agent.post("/v1/chat/museum", agent.token(user()), "{\"ticket_id\":\"TKT-" + UUID.randomUUID() + "\",\"message\":\"metrics please\"}");
        String metrics = agent.get("/observe/metrics", null).body();
        for (String name : List.of("dataland_http_requests", "dataland_runs", "dataland_model_latency",
                "dataland_model_tokens", "dataland_db_statement", "dataland_db_pool_connections")) {
            assertTrue(metrics.contains(name), name + " missing from /observe/metrics");
        }
        assertTrue(metrics.contains("route=\"/v1/chat/museum\""), "route tag");
        assertTrue(metrics.contains("MessageMapper.insertNext"), "statement tag");
        assertTrue(metrics.contains("state=\"pending\""), "pool gauge");
    }

    /**
     * The ticket id as the API uses it: a path segment of {@code /v1/conversations/{id}}, and the id of the
     * ticket's museum conversation and of nothing else. Through HTTP, against a real agent.
     */
    @Nested
    class TicketIds {

        private Response museum(String token, String ticket) {
            return agent.post("/v1/chat/museum", token, "{\"ticket_id\":" + quote(ticket) + ",\"message\":\"hello\"}");
        }

        private String newToken() {
            return agent.token("ticket-" + UUID.randomUUID());
        }

        @Test
        void aTicketIdThatIsNotOnePathSegmentIsRefusedAndNothingIsWritten() {
            String token = newToken();
            assertEquals(200, agent.get("/v1/me", token).status());
            String before = agent.snapshot();
            for (String ticket : new String[] {"a/b-" + UUID.randomUUID(), "/", "a\\b-" + UUID.randomUUID(), "a;b-" + UUID.randomUUID(), ".", ".."}) {
                assertError(museum(token, ticket), 400, "invalid_ticket_id");
            }
            assertEquals(before, agent.snapshot());
        }

        @Test
        void aTicketEqualToTheCallersGeneralConversationIdIsAConflictAndChangesNothing() {
            String token = newToken();
            String general = agent.post("/v1/chat", token, "{\"message\":\"hello\"}").json().get("conversation_id").asText();
            String before = agent.snapshot();
            assertError(museum(token, general), 409, "ticket_conflicts_with_conversation");
            assertEquals(before, agent.snapshot(), "no message appended to the general conversation, no ticket row");
            assertEquals("general", agent.get("/v1/conversations/" + general, token).json().get("mode").asText());
        }

        @Test
        void aTicketEqualToAnotherUsersConversationIdIsTheSameConflictNotAnOwnershipAnswer() {
            String owner = newToken();
            String general = agent.post("/v1/chat", owner, "{\"message\":\"hello\"}").json().get("conversation_id").asText();
            String stranger = newToken();
            assertEquals(200, agent.get("/v1/me", stranger).status());
            String before = agent.snapshot();
            // the same answer as for one's own general conversation: whose conversation it is stays untold
            assertError(museum(stranger, general), 409, "ticket_conflicts_with_conversation");
            assertEquals(before, agent.snapshot());
            // a ticket registered to another user is still told as such
            String ticket = "T-" + UUID.randomUUID();
            assertEquals(200, museum(owner, ticket).status());
            assertError(museum(newToken(), ticket), 403, "ticket_owned_by_other_user");
        }

        @Test
        void aTicketIdWithDotsThatIsNoDotSegmentIsAcceptedAndReachable() {
            String token = newToken();
            for (String ticket : new String[] {"a.b-" + UUID.randomUUID(), "..." + UUID.randomUUID()}) {
                assertEquals(200, museum(token, ticket).status(), ticket);
                Response detail = agent.get("/v1/conversations/" + ticket, token);
                assertEquals(200, detail.status(), ticket);
                assertEquals(ticket, detail.json().get("id").asText());
            }
        }
    }

    /**
     * The token's profile claims as {@code GET /v1/me} stores and answers them, at the edges: a claim the
     * column cannot usefully hold is ignored like an absent one (the column keeps its value), and a stored
     * value Java cannot answer reads as {@code null}; neither is ever a 500. Through HTTP, against a real agent.
     */
    @Nested
    class ProfileClaims {

        private static final String JOINED = "2026-01-02T03:04:05Z";

        private Response me(String sub, Map<String, ?> claims) {
            Response r = agent.get("/v1/me", agent.mint().token(sub, claims));
            assertEquals(200, r.status(), claims + ": " + r.body());
            return r;
        }

        private String newSub() {
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
}
