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
