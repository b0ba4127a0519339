package io.dataland.kit.ops;

import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.Settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code db-stats} against the embedded PostgreSQL 16: order, limit, output and failures. */
@ExtendWith(EmbeddedPostgresExtension.class)
class DbStatsTest {

    @BeforeAll
    static void tables(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (int t = 0; t < 12; t++) {
                s.execute("CREATE TABLE t" + t + " (id int)");
                // t11 gets 1100 rows, t0 none: the order is known (t5 loses 50 of its 500 below)
                s.execute("INSERT INTO t" + t + " SELECT generate_series(1, " + (t * 100) + ")");
            }
            s.execute("DELETE FROM t5 WHERE id <= 50");
            s.execute("SELECT pg_stat_force_next_flush()");
            s.execute("SELECT 1");
        }
        // the statistics system publishes counts asynchronously: wait until it has the largest table
        try (Connection c = db.connect()) {
            for (int i = 0; i < 150 && (top(c, 1).isEmpty() || top(c, 1).getFirst().liveRows() < 1100); i++) {
                Thread.sleep(100);
            }
        }
    }

    private static List<DbStats.TableStats> top(Connection c, int limit) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_clear_snapshot()");
        }
        return DbStats.top(c, limit);
    }

    private static String[] runAndCapture(TestDatabase db, String databaseUrl, int[] exit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Settings settings = Settings.of(Map.of("DATABASE_URL", databaseUrl));
        exit[0] = DbStats.run(args, settings, CredentialGuard.Service.AGENT,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void topTenByLiveRowsLargestFirst(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            List<DbStats.TableStats> rows = top(c, DbStats.DEFAULT_LIMIT);
            assertEquals(10, rows.size());
            assertEquals(List.of("t11", "t10", "t9", "t8", "t7", "t6", "t5", "t4", "t3", "t2"),
                    rows.stream().map(DbStats.TableStats::table).toList());
            assertEquals(1100, rows.getFirst().liveRows());
            DbStats.TableStats t5 = rows.get(6);
            assertEquals("t5", t5.table());
            assertEquals(450, t5.liveRows());
            assertEquals(50, t5.deadRows());
        }
    }

    @Test
    void theCommandPrintsAnAlignedTable(TestDatabase db) {
        int[] exit = new int[1];
        String[] output = runAndCapture(db, db.databaseUrl(), exit, "--limit", "3");
        assertEquals(0, exit[0], output[1]);
        List<String> lines = output[0].lines().toList();
        assertTrue(lines.get(0).startsWith("top tables by live row count"), output[0]);
        assertTrue(lines.get(1).matches("table\\s+live rows\\s+dead rows\\s+last autovacuum"), lines.get(1));
        assertTrue(lines.get(2).matches("t11\\s+1100\\s+0\\s+.*"), lines.get(2));
        assertTrue(lines.get(4).matches("t9\\s+900\\s+0\\s+.*"), lines.get(4));
        assertEquals(5, lines.size(), output[0]);
    }

    @Test
    void badArgumentsAndAnUnreachableDatabaseFailWithoutThePassword(TestDatabase db) {
        int[] exit = new int[1];
        assertEquals("", runAndCapture(db, db.databaseUrl(), exit, "--limit", "0")[0]);
        assertEquals(2, exit[0]);
        runAndCapture(db, db.databaseUrl(), exit, "--verbose");
        assertEquals(2, exit[0]);
        String[] down = runAndCapture(db, "postgresql://dataland:hunter2-secret@127.0.0.1:1/dataland", exit);
        assertEquals(1, exit[0]);
        assertTrue(down[1].contains("cannot read postgresql://dataland:***@127.0.0.1:1/dataland"), down[1]);
        assertFalse(down[1].contains("hunter2"), down[1]);
    }
}
