package io.dataland.agent.scale;

import static io.dataland.agent.testing.AgentHarness.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.PgBouncer;
import io.dataland.testkit.RequiredTool;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.ApiClient.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent through a real PgBouncer in {@code pool_mode = transaction} with two server connections:
 * nothing depends on session state. Racing turns reuse every statement far past pgjdbc's prepare
 * threshold on client connections multiplexed over those two server connections; the migration runs on
 * {@code MIGRATION_DATABASE_URL} and leaves no advisory lock behind; without that URL the boot is refused.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class TransactionPoolingTest {

    @TempDir
    Path dir;

    @Test
    void racingTurnsThroughTransactionPoolingKeepTheInvariantsOnTwoServerConnections(TestDatabase db) throws Exception {
        Path exe = RequiredTool.require("pgbouncer", "pgbouncer");
        try (PgBouncer bouncer = PgBouncer.start(exe, dir.resolve("bouncer"), 0, db.server(), db.name(),
                PgBouncer.Config.transaction(2));
             AgentHarness agent = AgentHarness.start(db, Map.of(
                     "DATABASE_URL", bouncer.databaseUrl(db.server(), db.name()),
                     "MIGRATION_DATABASE_URL", db.databaseUrl(),
                     "DB_POOL_MODE", "transaction", "DB_BOUNCER_SERVER_CONNECTIONS", "2",
                     "DB_BOUNCER_MAX_CLIENT_CONN", "1000", "DB_POOL_SIZE", "8", "DB_MAX_OVERFLOW", "8"))) {
            String token = agent.token("pooled-" + UUID.randomUUID());
            String ticket = "TKT-" + UUID.randomUUID();
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String body = "{\"ticket_id\":" + quote(ticket) + ",\"message\":\"question " + i + "\"}";
                calls.add(() -> agent.post("/v1/chat/museum", token, body));
            }
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (Future<Response> f : pool.invokeAll(calls)) {
                    Response r = f.get();
                    assertEquals(200, r.status(), r.body());
                }
            }
            // reads through the bouncer too: the history, many times over on the same client connections
            for (int i = 0; i < 10; i++) {
                Response r = agent.get("/v1/conversations/" + ticket, token);
                assertEquals(200, r.status(), r.body());
                assertEquals(80, r.json().get("messages").size());
            }
            assertEquals(1, agent.count("SELECT count(*) FROM conversations WHERE id = '" + ticket + "'"));
            assertEquals(80, agent.count("SELECT count(DISTINCT seq) FROM messages WHERE conversation_id = '" + ticket + "'"));
            assertEquals(80, agent.count("SELECT max(seq) FROM messages WHERE conversation_id = '" + ticket + "'"));
            // PgBouncer never opened more than its two server connections for the agent's 16-connection pool
            assertTrue(agent.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    + "AND application_name <> 'dataland-agent-migrations' AND pid <> pg_backend_pid() "
                    + "AND client_port IS NOT NULL AND usename = 'dataland'") <= 3,
                    "server connections: at most PgBouncer's 2 plus this query's own");
            // the migration's session lock was taken and released on the direct connection
            assertEquals(0, agent.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
            assertTrue(agent.count("SELECT count(*) FROM flyway_schema_history WHERE success") > 0);
        }
    }

    @Test
    void namedServerSidePreparedStatementsBreakUnderTransactionPoolingWhichIsWhyTheyAreOff(TestDatabase db) throws Exception {
        // the control: pgjdbc's default (prepareThreshold=5) on two clients sharing one server connection
        Path exe = RequiredTool.require("pgbouncer", "pgbouncer");
        try (PgBouncer bouncer = PgBouncer.start(exe, dir.resolve("bouncer1"), 0, db.server(), db.name(),
                PgBouncer.Config.transaction(1));
             Connection a = DriverManager.getConnection(bouncer.jdbcUrl(db.name()), "dataland", db.password());
             Connection b = DriverManager.getConnection(bouncer.jdbcUrl(db.name()), "dataland", db.password())) {
            SQLException e = assertThrows(SQLException.class, () -> {
                for (int i = 0; i < 10; i++) {
                    selectOne(a);
                    selectOne(b);
                }
            });
            assertTrue(e.getMessage().contains("prepared statement"), e.getMessage());
        }
    }

    @Test
    void aTransactionPooledAgentRefusesToMigrateWithoutADirectConnection(TestDatabase db) throws Exception {
        Path exe = RequiredTool.require("pgbouncer", "pgbouncer");
        try (PgBouncer bouncer = PgBouncer.start(exe, dir.resolve("bouncer2"), 0, db.server(), db.name(),
                PgBouncer.Config.transaction(2))) {
            var e = assertThrows(IllegalStateException.class, () -> AgentHarness.start(db, Map.of(
                    "DATABASE_URL", bouncer.databaseUrl(db.server(), db.name()), "DB_POOL_MODE", "transaction")));
            assertTrue(e.getMessage().contains("MIGRATION_DATABASE_URL"), e.getMessage());
            assertTrue(e.getMessage().contains("session-level advisory lock"), e.getMessage());
        }
    }

    private static final String PROBE = "SELECT count(*) FROM pg_class WHERE relname = ?";

    private static void selectOne(Connection c) throws SQLException {
        // a fresh PreparedStatement each time shares pgjdbc's per-connection statement cache, so the
        // fifth use is prepared as a named server-side statement, as any repeated mapper statement is
        try (PreparedStatement ps = c.prepareStatement(PROBE)) {
            ps.setString(1, "pg_class");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
    }
}
