package io.dataland.kit.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * The seed's "pool budget vs max_connections" tip, checked at boot: this service's worst case
 * ({@code DB_EXPECTED_INSTANCES x (DB_POOL_SIZE + DB_MAX_OVERFLOW)}) against what the server grants
 * ordinary roles ({@code max_connections - superuser_reserved_connections - reserved_connections}).
 * Over budget: a warning in development, a refusal in production, the numbers in both.
 *
 * <p>Behind PgBouncer ({@link Pooler#bouncer()}) the budget is a fleet budget in two halves: the
 * replicas' pools are PgBouncer's clients ({@code instances x (size + overflow)} against its
 * {@code max_client_conn}), and only PgBouncer's server connections ({@code max_db_connections}) count
 * against {@code max_connections} ({@link #enforceFleet}).
 */
public final class PoolBudget {

    private static final Logger LOG = Logger.getLogger(PoolBudget.class.getName());

    /** What the server allows and what this service may ask for. */
    public record Report(String service, int maxConnections, int reserved, int worstCase,
                         int instances, int maxPoolSize) {

        /** Connections ordinary roles may open. */
        public int available() {
            return maxConnections - reserved;
        }

        /** Whether the worst case exceeds {@link #available()}. */
        public boolean over() {
            return worstCase > available();
        }

        /** One line with every number. */
        public String describe() {
            return service + " pool budget: worst case " + instances + " instance(s) x " + maxPoolSize
                    + " connections = " + worstCase + (over() ? " exceeds " : " fits in ") + available()
                    + " available (max_connections=" + maxConnections + " - reserved=" + reserved + ")"
                    + (over() ? "; lower DB_POOL_SIZE/DB_MAX_OVERFLOW or DB_EXPECTED_INSTANCES, raise "
                    + "max_connections, or put PgBouncer in front" : "");
        }
    }

    /**
     * The fleet budget behind PgBouncer: the clients PgBouncer accepts and the server connections it opens.
     *
     * @param serverConnections PgBouncer's {@code max_db_connections} for this database
     * @param maxClientConn     PgBouncer's {@code max_client_conn}
     */
    public record FleetReport(String service, String mode, int maxConnections, int reserved, int instances,
                              int maxPoolSize, int maxClientConn, int serverConnections) {

        /** Client connections the whole fleet may hold to PgBouncer. */
        public int clients() {
            return instances * maxPoolSize;
        }

        /** Connections ordinary roles may open on the server. */
        public int available() {
            return maxConnections - reserved;
        }

        /** Whether the fleet's pools exceed {@code max_client_conn}. */
        public boolean clientsOver() {
            return clients() > maxClientConn;
        }

        /** Whether PgBouncer's server connections exceed what the server grants. */
        public boolean serverOver() {
            return serverConnections > available();
        }

        /** Either half over. */
        public boolean over() {
            return clientsOver() || serverOver();
        }

        /** One line with every number. */
        public String describe() {
            return service + " fleet budget through PgBouncer (" + mode + " pooling): " + instances
                    + " instance(s) x " + maxPoolSize + " client connections = " + clients()
                    + (clientsOver() ? " exceed" : " fit in") + " max_client_conn=" + maxClientConn + "; "
                    + serverConnections + " server connections (DB_BOUNCER_SERVER_CONNECTIONS, PgBouncer's "
                    + "max_db_connections)" + (serverOver() ? " exceed " : " fit in ") + available()
                    + " available (max_connections=" + maxConnections + " - reserved=" + reserved + ")"
                    + (clientsOver() ? "; lower DB_POOL_SIZE/DB_MAX_OVERFLOW or DB_EXPECTED_INSTANCES, or raise "
                    + "max_client_conn" : "")
                    + (serverOver() ? "; lower max_db_connections or raise max_connections" : "");
        }
    }

    /** Thrown in production when the budget is exceeded. */
    public static final class OverBudgetException extends RuntimeException {
        OverBudgetException(String message) {
            super(message);
        }
    }

    private PoolBudget() {
    }

    /** Reads the server's limits through {@code dataSource}. */
    public static Report measure(String service, DataSource dataSource, PoolSettings pool) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('max_connections')::int, "
                     + "current_setting('superuser_reserved_connections')::int, "
                     + "coalesce(current_setting('reserved_connections', true)::int, 0)")) {
            rs.next();
            int reserved = rs.getInt(2) + rs.getInt(3);
            return new Report(service, rs.getInt(1), reserved, pool.worstCaseConnections(),
                    pool.expectedInstances(), pool.maxPoolSize());
        }
    }

    /**
     * The fleet budget behind PgBouncer, read through {@code dataSource} (PgBouncer passes
     * {@code current_setting} to the server), then logged, warned (development) or refused (production).
     */
    public static FleetReport enforceFleet(String service, DataSource dataSource, PoolSettings pool, Pooler pooler,
                                           boolean production) throws SQLException {
        Report direct = measure(service, dataSource, pool);
        FleetReport report = new FleetReport(service, pooler.modeName(), direct.maxConnections(), direct.reserved(),
                pool.expectedInstances(), pool.maxPoolSize(), pooler.maxClientConn(), pooler.serverConnections());
        if (!report.over()) {
            LOG.info(report::describe);
        } else if (production) {
            throw new OverBudgetException("APP_ENV=production refuses to boot: " + report.describe());
        } else {
            LOG.warning(report::describe);
        }
        return report;
    }

    /** Measures and then warns (development) or throws {@link OverBudgetException} (production). */
    public static Report enforce(String service, DataSource dataSource, PoolSettings pool, boolean production)
            throws SQLException {
        Report report = measure(service, dataSource, pool);
        if (!report.over()) {
            LOG.info(report::describe);
        } else if (production) {
            throw new OverBudgetException("APP_ENV=production refuses to boot: " + report.describe());
        } else {
            LOG.warning(report::describe);
        }
        return report;
    }
}
