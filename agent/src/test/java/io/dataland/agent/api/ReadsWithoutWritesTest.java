package io.dataland.agent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request whose token claims match the stored users row writes nothing: no WAL, no transaction id
 * (before, the upsert's ON CONFLICT DO UPDATE locked the row on every request: 96 bytes of WAL and one
 * transaction id each). Checked with the user cache on (the default) and off (each request then reads
 * the row). The bound leaves room for a little unrelated WAL (a checkpoint record); 1,000 requests at
 * the old cost would write about 96,000 bytes.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ReadsWithoutWritesTest {

    private static final int REQUESTS = 1_000;

    @ParameterizedTest(name = "USER_CACHE_SECONDS={0}")
    @ValueSource(strings = {"30", "0"})
    void thousandMeRequestsWithOneTokenWriteNoWal(String cacheSeconds, TestDatabase db) {
        try (AgentHarness agent = AgentHarness.start(db, Map.of("USER_CACHE_SECONDS", cacheSeconds))) {
            String sub = "sub-" + UUID.randomUUID();
            String token = agent.mint().token(sub, Map.of("email", sub + "@example.org", "full_name", "Ada",
                    "joined_date", "2026-01-02T03:04:05+02:00"));
            assertEquals(200, agent.get("/v1/me", token).status(), "first sight creates the row");

            // WAL is the whole server's: autovacuum cleaning up after earlier test classes' bulk loads would
            // write into this window, so it is paused, and its workers drained, while the reads run
            long walBytes;
            long xids;
            superuser(db, "ALTER SYSTEM SET autovacuum = off");
            try {
                superuser(db, "SELECT pg_reload_conf()");
                awaitNoAutovacuumWorker(agent);
                String lsn = agent.text("SELECT pg_current_wal_lsn()::text");
                long xid = agent.count("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint");
                for (int i = 0; i < REQUESTS; i++) {
                    assertEquals(200, agent.get("/v1/me", token).status());
                }
                walBytes = agent.count("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + lsn + "')::bigint");
                xids = agent.count("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint") - xid;
            } finally {
                superuser(db, "ALTER SYSTEM RESET autovacuum");
                superuser(db, "SELECT pg_reload_conf()");
            }
            // 16 KiB: room for unrelated server-wide WAL (a checkpoint, another database's housekeeping; up to ~4 KiB
            // seen), far below the ~96,000 bytes that 1,000 locking upserts write
            assertTrue(walBytes < 16_384, walBytes + " bytes of WAL for " + REQUESTS + " reads");
            assertTrue(xids < 5, xids + " transaction ids for " + REQUESTS + " reads");
        }
    }

    private static void superuser(TestDatabase db, String sql) {
        try (Connection c = db.superuser(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits (at most 60 s) until no autovacuum worker runs anywhere on the server. */
    private static void awaitNoAutovacuumWorker(AgentHarness agent) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (agent.count("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'") > 0
                && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    @Test
    void aChangedClaimIsStillWrittenAtOnceWithTheCacheOn(TestDatabase db) {
        try (AgentHarness agent = AgentHarness.start(db, Map.of("USER_CACHE_SECONDS", "3600"))) {
            String sub = "sub-" + UUID.randomUUID();
            assertEquals("Old", agent.get("/v1/me", agent.mint().token(sub, Map.of("full_name", "Old"))).json()
                    .get("full_name").asText());
            assertEquals("New", agent.get("/v1/me", agent.mint().token(sub, Map.of("full_name", "New"))).json()
                    .get("full_name").asText());
            assertEquals("New", agent.text("SELECT full_name FROM users WHERE id = '" + sub + "'"));
            // An older token again: its claims differ from the cached ones, so the row follows it (as before).
            agent.get("/v1/me", agent.mint().token(sub, Map.of("full_name", "Old")));
            assertEquals("Old", agent.text("SELECT full_name FROM users WHERE id = '" + sub + "'"));
        }
    }
}
