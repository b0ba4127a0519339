package io.dataland.kit.db;

import io.dataland.kit.ServiceBoot;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.DatabaseUrl;
import io.dataland.kit.config.Settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.dataland.testkit.EmbeddedPg;

/** The pool budget against a real PostgreSQL 16 started with a low max_connections. */
class PoolBudgetTest {

    private static EmbeddedPg pg;
    private static HikariDataSource probe;

    @BeforeAll
    static void start() {
        pg = EmbeddedPg.start(null, 0, Map.of("max_connections", "20", "superuser_reserved_connections", "3"), "budget-pw");
        pg.createDatabase("budget");
        probe = PoolFactory.create("budget-probe", DatabaseUrl.parse("DATABASE_URL", pg.databaseUrl("budget")),
                new PoolSettings(1, 0, Duration.ofSeconds(5), 1));
    }

    @AfterAll
    static void stop() {
        probe.close();
        pg.close();
    }

    @Test
    void readsTheServersLimits() throws Exception {
        PoolBudget.Report report = PoolBudget.measure("agent", probe, new PoolSettings(2, 3, Duration.ofSeconds(5), 2));
        assertEquals(20, report.maxConnections());
        assertEquals(3, report.reserved());
        assertEquals(17, report.available());
        assertEquals(10, report.worstCase());
        assertFalse(report.over());
    }

    @Test
    void productionRefusesAWorstCaseOverTheBudgetWithTheNumbers() {
        PoolSettings seedDefaults = new PoolSettings(20, 40, Duration.ofSeconds(30), 2);
        var e = assertThrows(PoolBudget.OverBudgetException.class,
                () -> PoolBudget.enforce("dataland-agent", probe, seedDefaults, true));
        assertTrue(e.getMessage().contains("2 instance(s) x 60 connections = 120 exceeds 17 available"), e.getMessage());
        assertTrue(e.getMessage().contains("max_connections=20"), e.getMessage());
    }

    @Test
    void developmentOnlyWarns() throws Exception {
        PoolBudget.Report report = PoolBudget.enforce("dataland-agent", probe, new PoolSettings(20, 40, Duration.ofSeconds(30), 1), false);
        assertTrue(report.over());
        assertEquals(60, report.worstCase());
    }

    @Test
    void exactlyTheBudgetFits() throws Exception {
        PoolBudget.Report report = PoolBudget.enforce("dataland-auth", probe, new PoolSettings(10, 7, Duration.ofSeconds(30), 1), true);
        assertEquals(17, report.worstCase());
        assertFalse(report.over());
    }

    @Test
    void behindPgBouncerTheFleetBudgetCountsClientsAgainstMaxClientConnAndServerConnectionsAgainstTheServer()
            throws Exception {
        // 3 replicas x 60 = 180 clients fit in max_client_conn=200; PgBouncer's 15 server connections fit in 17
        Pooler bouncer = new Pooler(Pooler.Mode.TRANSACTION, 200, 15);
        PoolBudget.FleetReport fits = PoolBudget.enforceFleet("dataland-agent", probe,
                new PoolSettings(20, 40, Duration.ofSeconds(30), 3), bouncer, true);
        assertEquals(180, fits.clients());
        assertFalse(fits.over(), fits.describe());

        var clients = assertThrows(PoolBudget.OverBudgetException.class, () -> PoolBudget.enforceFleet("dataland-agent",
                probe, new PoolSettings(20, 40, Duration.ofSeconds(30), 4), bouncer, true));
        assertTrue(clients.getMessage().contains("4 instance(s) x 60 client connections = 240 exceed max_client_conn=200"),
                clients.getMessage());

        var server = assertThrows(PoolBudget.OverBudgetException.class, () -> PoolBudget.enforceFleet("dataland-agent",
                probe, new PoolSettings(2, 0, Duration.ofSeconds(30), 3), new Pooler(Pooler.Mode.TRANSACTION, 200, 18), true));
        assertTrue(server.getMessage().contains("18 server connections (DB_BOUNCER_SERVER_CONNECTIONS, PgBouncer's "
                + "max_db_connections) exceed 17 available (max_connections=20 - reserved=3)"), server.getMessage());
    }

    @Test
    void poolModeIsReadAndTransactionPoolingTurnsServerSidePreparedStatementsOff() {
        Settings settings = Settings.load(Map.of("DB_POOL_MODE", "transaction", "DB_BOUNCER_SERVER_CONNECTIONS", "10"),
                "kit-defaults.yaml");
        Pooler pooler = Pooler.from(settings);
        assertEquals(new Pooler(Pooler.Mode.TRANSACTION, 100, 10), pooler);
        assertEquals("0", pooler.prepareThreshold());
        assertEquals(Pooler.DIRECT, Pooler.from(Settings.load(Map.of(), "kit-defaults.yaml")));
        assertEquals(null, Pooler.DIRECT.prepareThreshold());
        var bad = assertThrows(IllegalArgumentException.class,
                () -> Pooler.from(Settings.load(Map.of("DB_POOL_MODE", "statement"), "kit-defaults.yaml")));
        assertTrue(bad.getMessage().contains("DB_POOL_MODE must be direct, session or transaction"), bad.getMessage());
        var threshold = assertThrows(IllegalArgumentException.class, () -> PoolFactory.create("x",
                DatabaseUrl.parse("DATABASE_URL", pg.databaseUrl("budget") + "?prepareThreshold=5"),
                new PoolSettings(1, 0, Duration.ofSeconds(5), 1), pooler));
        assertTrue(threshold.getMessage().contains("prepareThreshold=0"), threshold.getMessage());
    }

    @Test
    void serviceBootSizesThePoolFromTheEnvironmentAndWarnsInDevelopment() {
        // 3 x 41 = 123 > 17: development warns and the pool opens (production is covered above)
        Settings dev = Settings.load(Map.of("DATABASE_URL", pg.databaseUrl("budget"), "DB_POOL_SIZE", "1",
                "DB_MAX_OVERFLOW", "40", "DB_EXPECTED_INSTANCES", "3"), "kit-defaults.yaml");
        try (HikariDataSource ds = ServiceBoot.openPool("dataland-agent", dev, CredentialGuard.Service.AGENT)) {
            assertEquals(41, ds.getMaximumPoolSize());
            assertEquals(1, ds.getMinimumIdle());
            assertEquals("dataland-agent", ds.getPoolName());
        }
    }
}
