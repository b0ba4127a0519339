package io.dataland.dev.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataland.dev.Fleet;
import io.dataland.testkit.RequiredTool;
import io.dataland.testkit.api.AgentStore;
import io.dataland.testkit.api.ApiClient;
import io.dataland.testkit.api.ContractSuite;
import io.dataland.testkit.api.RsaTokens;
import io.dataland.testkit.api.SseEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet as {@code bin/fleet} runs it (embedded PostgreSQL, real PgBouncer in transaction mode, the
 * auth server, three agent replicas as processes, real HAProxy), one fleet for the whole class. In order:
 * the three replicas booted at once migrated once; 50 racing turns on one ticket across the replicas;
 * the contract suite (testkit {@link ContractSuite}) through HAProxy; a streamed turn reaching the client
 * event by event through HAProxy; JWKS rotation seen by every replica; PostgreSQL restarted behind
 * PgBouncer under load; one replica SIGKILLed under load (last: it leaves two replicas).
 *
 * <p>No timing assertion: every wait is bounded and generous, and the figures it prints (time for
 * HAProxy to mark a killed replica down) are for the report, not checked.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "fleet-Correct-Horse-42";

    @TempDir
    static Path state;

    private static Fleet fleet;
    private static RsaTokens cms;
    private static String email;
    private static String token;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startFleet() throws Exception {
        RequiredTool.require("pgbouncer", "pgbouncer");
        RequiredTool.require("haproxy", "haproxy");
        Path root = Path.of(System.getProperty("dataland.root", "..")).toAbsolutePath().normalize();
        // a mirrored CMS key in the auth server's extra_jwks.json (docs/api.md): the contract suite mints its
        // users' tokens with it, one per test step, instead of paying an Argon2id signup for each
        cms = RsaTokens.create("contract-cms-1");
        Files.createDirectories(state.resolve("auth-data"));
        Files.writeString(state.resolve("auth-data").resolve("extra_jwks.json"), cms.jwks());
        fleet = Fleet.start(root, new Fleet.Options(3, 0, 0, 0, 0, 20, true, state, true, false,
                // 50 turns of one user at once: the per-user chat limits (2 at a time) are lifted here
                Map.of("JWKS_REFETCH_COOLDOWN_SECONDS", "1", "HASH_CONCURRENCY", "1", "CHAT_TURN_BURST", "100000",
                        "CHAT_TURNS_PER_HOUR", "10000000", "CHAT_MAX_TURNS_PER_USER", "10000")));
        email = "fleet-" + UUID.randomUUID() + "@example.org";
        HttpResponse<String> signup = post(fleet.authUrl() + "/auth/signup", null,
                "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
        assertEquals(201, signup.statusCode(), signup.body());
        token = JSON.readTree(signup.body()).get("access_token").asText();
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    @Order(1)
    void threeReplicasBootingAtOnceOnAnEmptyDatabaseMigrateOnceWithoutError() throws Exception {
        List<String> logs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            logs.add(Files.readString(state.resolve("agent" + i + ".log")));
        }
        // "from V0": auth booted first and its auth_* tables make Flyway baseline at 0 (docs/store.md)
        assertEquals(1, logs.stream().filter(l -> l.contains("agent schema migrated from")).count(),
                "exactly one replica migrates");
        assertEquals(2, logs.stream().filter(l -> l.contains("agent schema up to date")).count(),
                "the other two find the schema at head after waiting on the lock");
        for (String log : logs) {
            assertFalse(log.contains("SEVERE"), log);
        }
        assertEquals(0, count("SELECT count(*) FROM flyway_schema_history WHERE NOT success"));
        assertEquals(count("SELECT count(*) FROM flyway_schema_history WHERE version IS NOT NULL"),
                count("SELECT count(DISTINCT version) FROM flyway_schema_history WHERE version IS NOT NULL"));
        assertEquals(0, count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"), "no migration lock left");
        for (int port : fleet.agentPorts()) {
            assertEquals(200, get("http://127.0.0.1:" + port + "/observe/health", null).statusCode());
        }
    }

    @Test
    @Order(2)
    void fiftyConcurrentTurnsOnOneTicketAcrossTheReplicasMakeOneConversationWithSeqOneToAHundred() throws Exception {
        Map<String, Long> before = fleet.haproxy().serverSelections();
        String ticket = "TKT-" + UUID.randomUUID();
        List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String body = "{\"ticket_id\":\"" + ticket + "\",\"message\":\"question " + i + "\"}";
            calls.add(() -> post(fleet.agentUrl() + "/v1/chat/museum", token, body));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<HttpResponse<String>> f : pool.invokeAll(calls)) {
                assertEquals(200, f.get().statusCode(), f.get().body());
            }
        }
        Map<String, Long> after = fleet.haproxy().serverSelections();
        for (String server : List.of("agent1", "agent2", "agent3")) {
            assertTrue(after.get(server) > before.getOrDefault(server, 0L), server + " served none of them: " + after);
        }
        assertEquals(1, count("SELECT count(*) FROM tickets WHERE id = '" + ticket + "'"));
        assertEquals(1, count("SELECT count(*) FROM conversations WHERE id = '" + ticket + "'"));
        assertEquals(100, count("SELECT count(*) FROM messages WHERE conversation_id = '" + ticket + "'"));
        assertEquals(100, count("SELECT count(DISTINCT seq) FROM messages WHERE conversation_id = '" + ticket + "'"));
        assertEquals(1, count("SELECT min(seq) FROM messages WHERE conversation_id = '" + ticket + "'"));
        assertEquals(100, count("SELECT max(seq) FROM messages WHERE conversation_id = '" + ticket + "'"));
        // the fleet budget holds: 3 replicas x 15 pooled connections and auth's pool, yet PostgreSQL serves
        // the application role on at most PgBouncer's 20 server connections
        long backends = count("SELECT count(*) FROM pg_stat_activity WHERE datname = 'dataland' "
                + "AND usename = 'dataland' AND backend_type = 'client backend'");
        System.out.printf("[fleet figure] application backends after 50 racing turns over 3 replicas: %d (PgBouncer's max_db_connections 20)%n", backends);
        assertTrue(backends <= 20, backends + " backends exceed PgBouncer's max_db_connections");
        // the read path through the proxy
        HttpResponse<String> detail = get(fleet.agentUrl() + "/v1/conversations/" + ticket, token);
        assertEquals(200, detail.statusCode(), detail.body());
        assertEquals(100, JSON.readTree(detail.body()).get("messages").size());
    }

    @TestFactory
    @Order(3)
    Stream<DynamicTest> theContractSuitePassesThroughTheProxy() {
        // black box but for the store digest: tokens the replicas verify against the auth server's JWKS,
        // every request through HAProxy to whichever replica, over PgBouncer
        return new ContractSuite(new ApiClient(fleet.agentUrl()), () -> cms.token("contract-" + UUID.randomUUID()),
                new AgentStore(() -> fleet.postgres().superuser("dataland"))).tests();
    }

    @Test
    @Order(4)
    void aStreamedTurnPassesHaProxyEventByEventNotWhenComplete() throws Exception {
        ApiClient api = new ApiClient(fleet.agentUrl());
        String ticket = "TKT-" + UUID.randomUUID();
        String body = "{\"ticket_id\":\"" + ticket + "\",\"message\":\"Tell me about Guernica\"}";
        // A gate, not a clock: the turn's last transaction inserts the answer's suggestions, so while this
        // transaction holds message_suggestions in SHARE mode the turn cannot finish. The agent has sent
        // meta and the model's deltas by then; a proxy holding the answer back until it is complete would
        // show none of them, and the wait below would fail (the gate is released in any case).
        try (Connection gate = fleet.postgres().superuser("dataland")) {
            gate.setAutoCommit(false);
            try (Statement lock = gate.createStatement()) {
                lock.execute("LOCK TABLE message_suggestions IN SHARE MODE");
            }
            try (SseEvents stream = SseEvents.open(api, "/v1/chat/museum", token, body)) {
                assertEquals(200, stream.status(), stream.body());
                SseEvents.Event meta = stream.next(Duration.ofSeconds(60));
                assertEquals("meta", meta.name());
                assertEquals("delta", stream.next(Duration.ofSeconds(60)).name());
                HttpResponse<String> run = get(fleet.agentUrl() + "/v1/runs/" + meta.data().get("run_id").asText(), token);
                assertEquals(200, run.statusCode(), run.body());
                assertTrue(JSON.readTree(run.body()).get("finished_at").isNull(), "the run is still open: " + run.body());
                gate.rollback();
                List<String> rest = new ArrayList<>();
                for (SseEvents.Event e = stream.next(Duration.ofSeconds(60)); e != null; e = stream.next(Duration.ofSeconds(60))) {
                    rest.add(e.name());
                }
                assertEquals("done", rest.getLast(), rest.toString());
            } finally {
                gate.rollback();
            }
        }
    }

    @Test
    @Order(5)
    void aRotatedSigningKeyIsTrustedByEveryReplicaWithoutARestart() throws Exception {
        String oldKid = kid(token);
        assertEquals(0, fleet.authCommand("rotate-keys"), "rotate-keys failed");
        String fresh = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> login = post(fleet.authUrl() + "/auth/login", null,
                    "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
            assertEquals(200, login.statusCode(), login.body());
            String candidate = JSON.readTree(login.body()).get("access_token").asText();
            if (!kid(candidate).equals(oldKid)) {
                fresh = candidate;
                break;
            }
            Thread.sleep(500);
        }
        if (fresh == null) {
            fail("the auth server kept signing with " + oldKid + " for 60 s after rotate-keys");
        }
        assertNotEquals(oldKid, kid(fresh));
        for (int port : fleet.agentPorts()) {
            HttpResponse<String> me = get("http://127.0.0.1:" + port + "/v1/me", fresh);
            assertEquals(200, me.statusCode(), "replica on " + port + ": " + me.body());
            assertEquals(200, get("http://127.0.0.1:" + port + "/v1/me", token).statusCode(), "the old key still counts");
        }
        token = fresh;
    }

    @Test
    @Order(6)
    void postgresRestartedBehindPgBouncerUnderLoadLosesNoAcknowledgedTurn() throws Exception {
        try (Load load = new Load(4)) {
            load.awaitAcknowledged(5, Duration.ofSeconds(120));
            fleet.restartPostgres(Duration.ofSeconds(2));
            int afterRestart = load.acknowledged();
            load.awaitAcknowledged(afterRestart + 8, Duration.ofSeconds(180));
            load.stop();
            for (Result r : load.results()) {
                assertTrue(r.status() == 200 || r.status() == 503, "during a restart only 200 or 503: " + r);
                if (r.status() == 503) {
                    assertTrue(r.body().contains("\"error\""), r.body());
                }
            }
            load.assertNothingAcknowledgedWasLost();
        }
        fleet.awaitProxy(Duration.ofSeconds(60), "UP");
    }

    @Test
    @Order(7)
    void aReplicaKilledUnderLoadIsTakenOutOfRotationAndNoAcknowledgedTurnIsLost() throws Exception {
        try (Load load = new Load(4)) {
            load.awaitAcknowledged(5, Duration.ofSeconds(120));
            Process victim = fleet.agents().get(2);
            long killed = System.nanoTime();
            victim.destroyForcibly();
            long down = -1;
            long deadline = killed + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                if ("DOWN".equals(fleet.haproxy().serverStates().get("agent3"))) {
                    down = System.nanoTime();
                    break;
                }
                Thread.sleep(50);
            }
            assertTrue(down > 0, "HAProxy still routes to the killed replica after 60 s: " + fleet.haproxy().serverStates());
            System.out.printf("[fleet figure] HAProxy marked the SIGKILLed replica DOWN %d ms after the kill%n",
                    (down - killed) / 1_000_000);
            int atDown = load.acknowledged();
            load.awaitAcknowledged(atDown + 10, Duration.ofSeconds(120));
            load.stop();
            for (Result r : load.results()) {
                if (r.startedNanos() > down) {
                    assertEquals(200, r.status(), "a turn started after the replica was marked down: " + r);
                } else {
                    // a turn in flight on the killed replica: HAProxy answers 502, or drops the connection
                    // (-1) when the replica died mid-exchange; never acknowledged, so never counted as stored
                    assertTrue(r.status() == 200 || r.status() == 502 || r.status() == 503 || r.status() == -1,
                            "only the killed replica's in-flight turns may fail: " + r);
                }
            }
            load.assertNothingAcknowledgedWasLost();
            assertEquals("UP", fleet.haproxy().serverStates().get("agent1"));
            assertEquals("UP", fleet.haproxy().serverStates().get("agent2"));
        }
    }

    /** One finished turn. */
    record Result(String ticket, int status, String body, String assistantId, long startedNanos) {
    }

    /** Workers posting museum turns through HAProxy, each on its own ticket, until stopped. */
    private static final class Load implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
        private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
        private final List<String> tickets = new ArrayList<>();

        Load(int n) {
            for (int i = 0; i < n; i++) {
                String ticket = "TKT-LOAD-" + UUID.randomUUID();
                tickets.add(ticket);
                workers.submit(() -> {
                    int k = 0;
                    while (running.get()) {
                        long started = System.nanoTime();
                        String body = "{\"ticket_id\":\"" + ticket + "\",\"message\":\"load " + k++ + "\"}";
                        try {
                            HttpResponse<String> r = post(fleet.agentUrl() + "/v1/chat/museum", token, body);
                            String assistant = r.statusCode() == 200
                                    ? JSON.readTree(r.body()).get("assistant_message").get("id").asText() : null;
                            results.add(new Result(ticket, r.statusCode(), r.body(), assistant, started));
                            if (r.statusCode() != 200) {
                                Thread.sleep(200);
                            }
                        } catch (IOException e) {
                            results.add(new Result(ticket, -1, e.toString(), null, started));
                            Thread.sleep(200);
                        }
                    }
                    return null;
                });
            }
        }

        int acknowledged() {
            return (int) results.stream().filter(r -> r.status() == 200).count();
        }

        void awaitAcknowledged(int n, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (acknowledged() < n) {
                if (System.nanoTime() > deadline) {
                    fail("only " + acknowledged() + " of " + n + " turns acknowledged within " + limit.toSeconds()
                            + " s; last results: " + results.stream().skip(Math.max(0, results.size() - 5)).toList());
                }
                Thread.sleep(100);
            }
        }

        List<Result> results() {
            return List.copyOf(results);
        }

        void stop() throws InterruptedException {
            running.set(false);
            workers.shutdown();
            if (!workers.awaitTermination(120, java.util.concurrent.TimeUnit.SECONDS)) {
                fail("load workers did not finish within 120 s");
            }
        }

        /** Every acknowledged turn's assistant message is stored; each ticket's seq runs 1..n with no gap or twin. */
        void assertNothingAcknowledgedWasLost() throws SQLException {
            for (Result r : results) {
                if (r.status() == 200) {
                    assertEquals(1, count("SELECT count(*) FROM messages WHERE id::text = '" + r.assistantId() + "'"),
                            "acknowledged turn lost: " + r);
                }
            }
            for (String ticket : tickets) {
                long n = count("SELECT count(*) FROM messages WHERE conversation_id = '" + ticket + "'");
                assertEquals(n, count("SELECT count(DISTINCT seq) FROM messages WHERE conversation_id = '" + ticket + "'"));
                assertEquals(n, count("SELECT coalesce(max(seq), 0) FROM messages WHERE conversation_id = '" + ticket + "'"));
            }
        }

        @Override
        public void close() {
            running.set(false);
            workers.shutdownNow();
        }
    }

    private static String kid(String jwt) throws IOException {
        String header = new String(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))), StandardCharsets.UTF_8);
        JsonNode node = JSON.readTree(header);
        return node.get("kid").asText();
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = fleet.postgres().superuser("dataland"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static HttpResponse<String> get(String url, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String bearer, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
