package io.dataland.agent.api;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.ApiClient.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.dataland.agent.testing.AgentHarness.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL stopped for several seconds under 16 clients posting museum turns to a model slow enough (1 s)
 * that turns are in flight when it stops, then started again: every answer is 2xx or 503 with
 * {@code Retry-After}; none waits past 2 s while the database is down; a turn begun within 1 s after it is
 * back succeeds; every acknowledged turn is stored, seq is contiguous and no run is left open.
 */
class DatabaseOutageTest {

    private static final int CLIENTS = 16;

    @TempDir
    Path dir;

    /** One answered request: when it began and ended (nanoTime) and what it was. */
    record Call(long start, long end, int status, boolean retryAfter, String ticket, String assistantId) {
    }

    @Test
    void aDatabaseRestartUnderLoadFailsFastRecoversAtOnceAndLosesNothing() throws Exception {
        int port = freePort();
        Path data = dir.resolve("pgdata");
        EmbeddedPg pg = EmbeddedPg.start(data, port, Map.of(), "outage-pw");
        pg.createDatabase("outage");
        TestDatabase db = new TestDatabase(pg, "outage");
        Queue<Call> calls = new ConcurrentLinkedQueue<>();
        long stoppedAt;
        long backAt;
        // the offline model pauses 150 ms per streamed chunk: a turn talks to the model for about a second
        try (AgentHarness agent = AgentHarness.start(db, Map.of("MODEL_OFFLINE_DELAY_MS", "150",
                "DB_POOL_SIZE", "4", "DB_MAX_OVERFLOW", "8"))) {
            String token = agent.token("outage-" + UUID.randomUUID());
            AtomicBoolean running = new AtomicBoolean(true);
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < CLIENTS; c++) {
                    String ticket = "TKT-" + UUID.randomUUID();
                    clients.submit(() -> {
                        for (int i = 0; running.get(); i++) {
                            long start = System.nanoTime();
                            Response r = agent.post("/v1/chat/museum", token,
                                    "{\"ticket_id\":" + quote(ticket) + ",\"message\":\"question " + i + "\"}");
                            String id = r.status() == 200 ? r.json().get("assistant_message").get("id").asText() : null;
                            calls.add(new Call(start, System.nanoTime(), r.status(), r.header("Retry-After") != null,
                                    ticket, id));
                            if (r.status() != 200) {
                                Thread.sleep(50); // a client that retries, not a hot loop
                            }
                        }
                        return null;
                    });
                }
                Thread.sleep(2_500);
                pg.close();
                stoppedAt = System.nanoTime();
                Thread.sleep(5_000);
                pg = EmbeddedPg.start(data, port, Map.of(), "outage-pw");
                backAt = System.nanoTime();
                Thread.sleep(3_000);
                running.set(false);
                clients.shutdown();
                assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS), "clients finished");
            }

            List<Call> all = List.copyOf(calls);
            long ok = all.stream().filter(c -> c.status() == 200).count();
            long unavailable = all.stream().filter(c -> c.status() == 503).count();
            for (Call c : all) {
                assertTrue(c.status() == 200 || (c.status() == 503 && c.retryAfter()), "2xx or 503 with Retry-After: " + c);
            }
            // while it is down: a request begun after the stop is answered within 2 s; a turn in flight at the
            // stop may still be talking to the model, so it gets its model time (the slowest turn before) on top
            long turnMillis = all.stream().filter(c -> c.status() == 200 && c.end() < stoppedAt)
                    .mapToLong(c -> (c.end() - c.start()) / 1_000_000).max().orElse(0);
            long worstDownMillis = all.stream().filter(c -> c.start() >= stoppedAt && c.end() < backAt)
                    .mapToLong(c -> (c.end() - c.start()) / 1_000_000).max().orElse(0);
            long worstInFlightMillis = all.stream().filter(c -> c.start() < stoppedAt && c.end() > stoppedAt && c.end() < backAt)
                    .mapToLong(c -> (c.end() - stoppedAt) / 1_000_000).max().orElse(0);
            assertTrue(worstDownMillis <= 2_000, "longest answer to a request begun while down: " + worstDownMillis + " ms");
            assertTrue(worstInFlightMillis <= 2_000 + turnMillis, "a turn in flight at the stop answered "
                    + worstInFlightMillis + " ms after it (turns took up to " + turnMillis + " ms)");
            // after it is back: the first successful turn began at most 1 s after the restart (0 when one begun
            // while the server was still starting already succeeded); the guard may see it before start() returns
            long firstOkAfterBack = all.stream().filter(c -> c.status() == 200 && c.end() > backAt)
                    .mapToLong(c -> Math.max(0, (c.start() - backAt) / 1_000_000)).min().orElse(Long.MAX_VALUE);
            long firstOkAnswered = all.stream().filter(c -> c.status() == 200 && c.end() > backAt)
                    .mapToLong(c -> (c.end() - backAt) / 1_000_000).min().orElse(Long.MAX_VALUE);
            long last503 = all.stream().filter(c -> c.status() == 503)
                    .mapToLong(c -> (c.end() - backAt) / 1_000_000).max().orElse(Long.MIN_VALUE);
            assertTrue(firstOkAfterBack <= 1_000, "first turn that succeeded after the restart began "
                    + firstOkAfterBack + " ms after it");
            assertTrue(last503 <= 1_000, "the last 503 came " + last503 + " ms after the restart");
            assertTrue(unavailable > 0, "the outage was seen");
            System.out.printf("outage: %d answers, %d x 200, %d x 503; longest answer begun while down %d ms; "
                    + "turns in flight at the stop answered within %d ms of it (turns took up to %d ms); "
                    + "first successful turn began %d ms after the restart and was answered %d ms after it; "
                    + "last 503 %d ms after it%n", all.size(), ok, unavailable,
                    worstDownMillis, worstInFlightMillis, turnMillis, firstOkAfterBack, firstOkAnswered, last503);

            TestDatabase after = new TestDatabase(pg, "outage");
            for (Call c : all) {
                if (c.status() == 200) {
                    assertEquals(1, count(after, "SELECT count(*) FROM messages WHERE id = '" + c.assistantId() + "'"),
                            "acknowledged turn stored: " + c);
                }
            }
            assertEquals(0, count(after, "SELECT count(*) FROM (SELECT conversation_id FROM messages GROUP BY conversation_id"
                    + " HAVING min(seq) <> 1 OR max(seq) <> count(*)) gaps"), "seq contiguous in every conversation");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long open;
            do {
                open = count(after, "SELECT count(*) FROM runs WHERE finished_at IS NULL");
                if (open > 0) {
                    Thread.sleep(200);
                }
            } while (open > 0 && System.nanoTime() < deadline);
            assertEquals(0, open, "no run left open");
        } finally {
            pg.close();
        }
    }

    private static long count(TestDatabase db, String sql) throws Exception {
        try (Connection c = db.superuser(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
