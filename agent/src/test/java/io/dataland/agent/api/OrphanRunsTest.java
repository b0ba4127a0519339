package io.dataland.agent.api;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.agent.testing.TokenMint;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static io.dataland.agent.testing.AgentHarness.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a real agent process with 16 turns in flight leaves 16 open runs; the next agent that boots
 * closes them as {@code error} "interrupted" once they are older than the orphan age, and never touches a
 * live replica's run that is still in flight.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class OrphanRunsTest {

    private static final int TURNS = 16;

    @TempDir
    Path dir;

    @Test
    void runsOfAKilledAgentAreClosedByTheNextBootAndALiveReplicasAreNot(TestDatabase db) throws Exception {
        TokenMint mint = TokenMint.create("orphan-key");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, TokenMint.jwks(mint));
        String user = "orphan-" + UUID.randomUUID();
        String token = mint.token(user);
        int port = freePort();
        Process agent = startAgentProcess(db, jwks, port);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        try {
            awaitHealthy(http, port, agent);
            inFlight.addAll(sendTurns(http, port, token, Duration.ofSeconds(60)));
            awaitOpenRuns(db, user);
            assertEquals(TURNS, openRuns(db, user), "every turn in flight has its run open");
        } finally {
            agent.destroyForcibly(); // SIGKILL: no shutdown hook, no drain
            assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "the agent died");
        }
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            assertTrue(f.handle((r, e) -> e != null).get(30, TimeUnit.SECONDS), "a killed agent answers nothing");
        }
        assertEquals(TURNS, openRuns(db, user), "kill -9 leaves the runs open");

        try (AgentHarness live = AgentHarness.start(db, Map.of("MODEL_OFFLINE_DELAY_MS", "1000"))) {
            // a live replica with a turn in flight (1 s per streamed chunk): its run is open and young
            String liveUser = "live-" + UUID.randomUUID();
            CompletableFuture<HttpResponse<String>> liveTurn = live.client().sendAsync(live.request("/v1/chat",
                            live.token(liveUser)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"message\":" + quote("still talking") + "}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (openRuns(db, liveUser) < 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, openRuns(db, liveUser));
            // the orphans are as old as a dead process's runs get (moving their start instead of waiting
            // out MODEL_TIMEOUT_SECONDS + DB_POOL_TIMEOUT + the margin)
            execute(db, "UPDATE runs SET started_at = started_at - interval '1 hour' WHERE user_id = '" + user + "'");

            try (AgentHarness next = AgentHarness.start(db, Map.of())) {
                assertEquals(0, openRuns(db, user), "the next agent's boot closed the orphans");
                assertEquals(TURNS, count(db, "SELECT count(*) FROM runs WHERE user_id = '" + user
                        + "' AND status = 'error' AND error = 'interrupted' AND finished_at IS NOT NULL"));
                assertEquals(1, openRuns(db, liveUser), "the live replica's run is not touched");
                assertEquals(0, new io.dataland.agent.run.RunReaper(
                        new io.dataland.kit.db.UnitOfWork(io.dataland.kit.db.MyBatis.sessionFactory("reaper-test",
                                next.server().dataSource(), io.dataland.agent.AgentServer.MAPPERS, List.of())),
                        Duration.ofSeconds(30)).reapOnce(), "nothing else is old enough");
            }
            assertEquals(200, liveTurn.get(60, TimeUnit.SECONDS).statusCode(), "the live turn ends normally");
            assertEquals(1, count(db, "SELECT count(*) FROM runs r JOIN users u ON u.id = r.user_id WHERE u.id = '"
                    + liveUser + "' AND r.status = 'success'"));
        }
    }

    @Test
    void sigtermLetsTurnsInFlightFinishAndLeavesNoRunOpen(TestDatabase db) throws Exception {
        TokenMint mint = TokenMint.create("drain-key");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, TokenMint.jwks(mint));
        String user = "drain-" + UUID.randomUUID();
        String token = mint.token(user);
        int port = freePort();
        // turns of a few seconds (the offline model pauses 500 ms per chunk), a drain timeout well above that
        Process agent = startAgentProcess(db, jwks, port, Map.of("MODEL_OFFLINE_DELAY_MS", "500",
                "SHUTDOWN_DRAIN_SECONDS", "30"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        try {
            awaitHealthy(http, port, agent);
            inFlight.addAll(sendTurns(http, port, token, Duration.ofSeconds(90)));
            awaitOpenRuns(db, user);
            assertEquals(TURNS, openRuns(db, user), "every turn is in flight (its run open) when SIGTERM comes");
            agent.destroy(); // SIGTERM
            assertTrue(agent.waitFor(60, TimeUnit.SECONDS), "the agent exited after draining");
        } finally {
            agent.destroyForcibly();
        }
        int ok = 0;
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), "a turn in flight was answered, not cut: " + r.body());
            ok++;
        }
        assertEquals(TURNS, ok);
        assertEquals(0, openRuns(db, user), "no run left open");
        assertEquals(TURNS, count(db, "SELECT count(*) FROM runs WHERE user_id = '" + user + "' AND status = 'success'"));
        assertEquals(2L * TURNS, count(db, "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id"
                + " WHERE c.user_id = '" + user + "'"), "every acknowledged turn is stored");
    }

    private static Process startAgentProcess(TestDatabase db, Path jwks, int port) throws Exception {
        return startAgentProcess(db, jwks, port, Map.of("MODEL_OFFLINE_DELAY_MS", "10000"));
    }

    private static Process startAgentProcess(TestDatabase db, Path jwks, int port, Map<String, String> extra) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), "io.dataland.agent.Main")
                .redirectErrorStream(true).redirectOutput(File.createTempFile("orphan-agent", ".log"));
        builder.environment().keySet().removeIf(k -> k.contains("DATABASE_URL") || k.startsWith("AGENT_")
                || k.startsWith("AUTH_") || k.startsWith("MODEL_") || k.startsWith("DB_"));
        builder.environment().putAll(Map.of("DATABASE_URL", db.databaseUrl(), "AGENT_PORT", Integer.toString(port),
                "AUTH_JWKS_URL", "http://127.0.0.1:1/jwks.json", "JWKS_FILE", jwks.toString(),
                "DB_POOL_SIZE", "4", "DB_MAX_OVERFLOW", "20"));
        builder.environment().putAll(AgentHarness.UNLIMITED_TURNS);
        builder.environment().putAll(extra);
        return builder.start();
    }

    private static void awaitHealthy(HttpClient http, int port, Process agent) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && agent.isAlive()) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the agent process did not become healthy");
    }

    /** {@code TURNS} chat turns of {@code token}, sent at once; each answer (or failure) arrives later. */
    private static List<CompletableFuture<HttpResponse<String>>> sendTurns(HttpClient http, int port, String token,
                                                                           Duration timeout) {
        List<CompletableFuture<HttpResponse<String>>> turns = new ArrayList<>();
        for (int i = 0; i < TURNS; i++) {
            turns.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"turn " + i + "\"}"))
                    .timeout(timeout).build(), HttpResponse.BodyHandlers.ofString()));
        }
        return turns;
    }

    /** Waits up to a minute for {@code TURNS} open runs of {@code user} (the caller asserts the count). */
    private static void awaitOpenRuns(TestDatabase db, String user) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (openRuns(db, user) < TURNS && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private static long openRuns(TestDatabase db, String user) throws Exception {
        return count(db, "SELECT count(*) FROM runs WHERE finished_at IS NULL AND status IS NULL AND user_id = '" + user + "'");
    }

    private static long count(TestDatabase db, String sql) throws Exception {
        try (var c = db.superuser(); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(TestDatabase db, String sql) throws Exception {
        try (var c = db.superuser(); var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
