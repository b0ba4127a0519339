package io.dataland.agent.api;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.dataland.agent.testing.TokenMint.b64;
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
}
