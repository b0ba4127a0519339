package io.dataland.kit.db;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.time.Duration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dataland.kit.config.DatabaseUrl;
import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.PgBouncer;
import io.dataland.testkit.Poll;
import io.dataland.testkit.RequiredTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard's probe tells a busy database from a gone one behind PgBouncer: with every server connection
 * held by open transactions the probe's query waits in PgBouncer's queue like everyone's, and PostgreSQL
 * itself (the direct URL) answers, so that is not an outage (answering 503 to every request would turn a
 * burst into one); a stopped PostgreSQL behind the same PgBouncer is.
 */
class DatabaseGuardTest {

    @TempDir
    Path dir;

    @Test
    void aProbeQueuedBehindBusyServerConnectionsIsNotAnOutageAStoppedServerIs() throws Exception {
        Path exe = RequiredTool.require("pgbouncer", "pgbouncer");
        EmbeddedPg pg = EmbeddedPg.start(dir.resolve("pgdata"), 0, Map.of(), "guard-pw");
        pg.createDatabase("guard");
        boolean stopped = false;
        try (PgBouncer bouncer = PgBouncer.start(exe, dir.resolve("bouncer"), 0, pg, "guard",
                PgBouncer.Config.transaction(1))) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(bouncer.jdbcUrl("guard") + "?prepareThreshold=0");
            config.setUsername(EmbeddedPg.APP_USER);
            config.setPassword(pg.appPassword());
            config.setMaximumPoolSize(2);
            config.setMinimumIdle(0);
            try (HikariDataSource pool = new HikariDataSource(config)) {
                DatabaseGuard guard = DatabaseGuard.of(pool)
                        .probeDirectly(DatabaseUrl.parse("MIGRATION_DATABASE_URL", pg.databaseUrl("guard")));
                // the one server connection is held by an open transaction: every other query queues
                try (Connection holder = pool.getConnection(); Statement statement = holder.createStatement()) {
                    holder.setAutoCommit(false);
                    statement.execute("SELECT 1");
                    SQLException verdict = guard.probe();
                    assertNull(verdict, () -> "a queued probe is a busy database, not a gone one: " + verdict);
                    // the contrast, so the check above can fail: without the direct URL the wait counts as down
                    assertNotNull(DatabaseGuard.of(pool).probeDirectly(null).probe(), "a probe that only waited");
                    guard.probeDirectly(DatabaseUrl.parse("MIGRATION_DATABASE_URL", pg.databaseUrl("guard")));
                    holder.rollback();
                }
                pg.close();
                stopped = true;
                guard.suspect();
                Poll.until(guard::isDown, Duration.ofSeconds(30)); // PostgreSQL stopped behind PgBouncer is down
            }
        } finally {
            if (!stopped) {
                pg.close();
            }
        }
    }
}
