package io.dataland.agent.api;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.agent.testing.JwksServer;
import io.dataland.agent.testing.TokenMint;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.ApiClient.Response;
import io.jsonwebtoken.Jwts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.dataland.agent.testing.AgentHarness.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 50 racing museum turns on one ticket, JWKS rotation without restart, and 503 when the pool is exhausted. */
@ExtendWith(EmbeddedPostgresExtension.class)
class ConcurrencyAndFaultsTest {

    @Test
    void fiftyConcurrentMuseumTurnsOnOneTicket(TestDatabase db) throws Exception {
        try (AgentHarness agent = AgentHarness.start(db, Map.of("DB_POOL_SIZE", "8", "DB_MAX_OVERFLOW", "8",
                "CHAT_TURN_BURST", "100", "CHAT_MAX_TURNS_PER_USER", "100"))) {
            String token = agent.token("racer-" + UUID.randomUUID());
            String ticket = "TKT-" + UUID.randomUUID();
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String body = "{\"ticket_id\":" + quote(ticket) + ",\"message\":\"question " + i + "\"}";
                calls.add(() -> agent.post("/v1/chat/museum", token, body));
            }
            List<Response> responses = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (Future<Response> f : pool.invokeAll(calls)) {
                    responses.add(f.get());
                }
            }
            for (Response r : responses) {
                assertEquals(200, r.status(), r.body());
            }
            assertEquals(1, agent.count("SELECT count(*) FROM tickets WHERE id = '" + ticket + "'"));
            assertEquals(1, agent.count("SELECT count(*) FROM conversations WHERE id = '" + ticket + "'"));
            assertEquals(100, agent.count("SELECT count(*) FROM messages WHERE conversation_id = '" + ticket + "'"));
            assertEquals(1, agent.count("SELECT min(seq) FROM messages WHERE conversation_id = '" + ticket + "'"));
            assertEquals(100, agent.count("SELECT max(seq) FROM messages WHERE conversation_id = '" + ticket + "'"));
            assertEquals(100, agent.count("SELECT count(DISTINCT seq) FROM messages WHERE conversation_id = '" + ticket + "'"));
            assertEquals(50, agent.count("SELECT count(*) FROM runs WHERE conversation_id = '" + ticket + "' AND status = 'success'"));
        }
    }

    @Test
    void jwksRotationIsSeenWithoutRestart(TestDatabase db) throws Exception {
        TokenMint before = TokenMint.create("auth-key-1");
        TokenMint after = TokenMint.create("auth-key-2");
        // no cooldown: the rotation is seen on the first unknown kid, no waiting (the cooldown itself is
        // the next test's, and JwksKeysTest's under a test clock)
        try (JwksServer auth = JwksServer.start(TokenMint.jwks(before));
             AgentHarness agent = AgentHarness.start(db, Map.of("AUTH_JWKS_URL", auth.url().toString(),
                     "JWKS_REFETCH_COOLDOWN_SECONDS", "0"))) {
            String sub = "rot-" + UUID.randomUUID();
            assertEquals(200, agent.get("/v1/me", before.token(sub)).status());
            assertEquals(200, agent.get("/v1/me", agent.token(sub)).status(), "JWKS_FILE keys stay trusted");
            auth.serve(TokenMint.jwks(after));
            assertEquals(200, agent.get("/v1/me", after.token(sub)).status(), "the new kid is fetched");
            assertEquals(401, agent.get("/v1/me", before.token(sub)).status(), "the retired key is gone after the refetch");
        }
    }

    @Test
    void aFloodOfUnknownKidsCostsAtMostOneFetchPerCooldown(TestDatabase db) throws Exception {
        TokenMint trusted = TokenMint.create("auth-key-1");
        try (JwksServer auth = JwksServer.start(TokenMint.jwks(trusted));
             AgentHarness agent = AgentHarness.start(db, Map.of("AUTH_JWKS_URL", auth.url().toString(),
                     "JWKS_REFETCH_COOLDOWN_SECONDS", "30"))) {
            String sub = "flood-" + UUID.randomUUID();
            // waits for the boot fetch if it is still in flight; the cooldown runs from that fetch
            assertEquals(200, agent.get("/v1/me", trusted.token(sub)).status());
            TokenMint stranger = TokenMint.create("stranger");
            int hits = auth.hits();
            for (int i = 0; i < 20; i++) {
                String forged = Jwts.builder().header().keyId(UUID.randomUUID().toString()).and().subject(sub)
                        .expiration(new Date(System.currentTimeMillis() + 600_000))
                        .signWith(stranger.pair().getPrivate(), Jwts.SIG.RS256).compact();
                assertEquals(401, agent.get("/v1/me", forged).status());
            }
            assertTrue(auth.hits() - hits <= 1, "20 unknown kids inside one cooldown: " + (auth.hits() - hits) + " fetches");
        }
    }

    @Test
    void agentBootsAndServesWhileAuthIsUnreachable(TestDatabase db) {
        try (AgentHarness agent = AgentHarness.start(db, Map.of("AUTH_JWKS_URL", "http://127.0.0.1:9/jwks.json"))) {
            assertEquals(200, agent.get("/v1/me", agent.token("offline-auth")).status());
        }
    }

    @Test
    void exhaustedPoolIs503WithRetryAfter(TestDatabase db) throws Exception {
        try (AgentHarness agent = AgentHarness.start(db, Map.of("DB_POOL_SIZE", "1", "DB_MAX_OVERFLOW", "3",
                "DB_POOL_TIMEOUT", "1"))) {
            String token = agent.token("pool-" + UUID.randomUUID());
            assertEquals(200, agent.get("/v1/me", token).status());
            List<Connection> held = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    held.add(agent.server().dataSource().getConnection());
                }
                long start = System.nanoTime();
                Response r = agent.get("/v1/conversations", token);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(503, r.status(), r.body());
                assertEquals("database_unavailable", r.error());
                assertNotNull(r.header("Retry-After"));
                assertTrue(millis < 5000, "answered within the pool timeout, not a hang: " + millis + " ms");
            } finally {
                for (Connection c : held) {
                    c.close();
                }
            }
            assertEquals(200, agent.get("/v1/me", token).status());
        }
    }

    @Test
    void databaseDownIs503WithRetryAfterAndRecovers(TestDatabase db) throws Exception {
        try (AgentHarness agent = AgentHarness.start(db, Map.of("DB_POOL_TIMEOUT", "1"))) {
            String token = agent.token("down-" + UUID.randomUUID());
            assertEquals(200, agent.get("/v1/me", token).status());
            String name = agent.text("SELECT current_database()");
            try (Connection su = db.server().superuser("postgres"); var s = su.createStatement()) {
                s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name
                        + "' AND usename = 'dataland'");
            }
            try {
                for (int i = 0; i < 3; i++) {
                    long start = System.nanoTime();
                    Response r = agent.get("/v1/conversations", token);
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertEquals(503, r.status(), r.body());
                    assertEquals("database_unavailable", r.error());
                    assertNotNull(r.header("Retry-After"));
                    assertTrue(millis < 5000, millis + " ms");
                }
            } finally {
                try (Connection su = db.server().superuser("postgres"); var s = su.createStatement()) {
                    s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
                }
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            int status;
            do {
                Thread.sleep(200);
                status = agent.get("/v1/me", token).status();
            } while (status != 200 && System.nanoTime() < deadline);
            assertEquals(200, status, "recovers once the database is back");
        }
    }
}
