package io.dataland.kit.db;

import io.dataland.kit.config.DatabaseUrl;

import java.util.logging.Logger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Builds a service's HikariCP pool from its {@link DatabaseUrl} and {@link PoolSettings}.
 *
 * <p>The seed's {@code pool_pre_ping=True} is Hikari's validation on borrow: a connection idle for more
 * than half a second is checked with {@code Connection.isValid} before it is handed out, and a dead one
 * is replaced, so a PostgreSQL restart shows up as a reconnect, not as an error on the next request.
 * A caller that cannot get a connection within {@code DB_POOL_TIMEOUT} gets an {@link java.sql.SQLException}
 * (the services answer 503), never a hang.
 */
public final class PoolFactory {

    private static final Logger LOG = Logger.getLogger(PoolFactory.class.getName());

    private PoolFactory() {
    }

    /**
     * pgjdbc's {@code assumeMinServerVersion}: told the server is 9.0 or newer (the chain needs 15+), the driver
     * sends {@code application_name} and {@code extra_float_digits} in the start-up packet instead of two
     * {@code SET} statements after the login. Behind PgBouncer those statements need a server connection,
     * so a new client connection could not even log in while every server connection was busy; and they
     * are two round trips per new connection anywhere. PgBouncer must list {@code extra_float_digits} in
     * {@code ignore_startup_parameters} (docs/scaling.md).
     */
    public static final String ASSUME_MIN_SERVER_VERSION = "9.4";

    /**
     * Run on each new connection that keeps named server-side statements (direct, or PgBouncer's session
     * pooling, whose reset query discards it with the session): plan each statement once, for any
     * parameters. Under {@code auto} PostgreSQL compares the generic plan's estimate with the custom plans'
     * and keeps planning afresh on every execution while the generic one looks dearer, which is what skewed
     * data does: beside a few museum tickets of thousands of messages, the average conversation the generic
     * plan assumes is large, a 20-message reload's custom plans are cheap, and its three statements were
     * planned on every reload (0.98 ms of PostgreSQL per reload against 0.59 ms with one generic plan, pgbench
     * on such a database; docs/benchmarks.md). The generic plans of every statement of the agent are checked
     * to read no whole table ({@code GenericPlanTest}); auth's are unique-key lookups. Not under transaction
     * pooling: there the driver prepares no named statement, and a {@code SET} would outlive the transaction
     * on a server connection another client gets next.
     */
    public static final String GENERIC_PLANS = "SET plan_cache_mode = force_generic_plan";

    /** A started pool named {@code poolName} (also the PostgreSQL {@code application_name}), straight to PostgreSQL. */
    public static HikariDataSource create(String poolName, DatabaseUrl url, PoolSettings pool) {
        return create(poolName, url, pool, Pooler.DIRECT);
    }

    /**
     * As {@link #create(String, DatabaseUrl, PoolSettings)}, through {@code pooler}: under transaction
     * pooling the driver prepares no named server-side statement ({@code prepareThreshold=0}), and a URL
     * that asks for them is refused.
     */
    public static HikariDataSource create(String poolName, DatabaseUrl url, PoolSettings pool, Pooler pooler) {
        if (pooler.transactionPooling() && url.jdbcUrl().matches(".*[?&]prepareThreshold=(?!0(&|$)).*")) {
            throw new IllegalArgumentException("DB_POOL_MODE=transaction needs prepareThreshold=0; the database URL "
                    + "sets another value (server-side prepared statements do not survive transaction pooling)");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName(poolName);
        config.setJdbcUrl(url.jdbcUrl());
        if (url.user() != null) {
            config.setUsername(url.user());
        }
        url.passwordIfAny().ifPresent(config::setPassword);
        config.setMinimumIdle(Math.min(pool.size(), pool.maxPoolSize()));
        config.setMaximumPoolSize(pool.maxPoolSize());
        config.setConnectionTimeout(pool.timeout().toMillis());
        config.setValidationTimeout(Math.min(2_000, Math.max(250, pool.timeout().toMillis() / 2)));
        // fail the boot at once when the database is unreachable rather than serving a dead pool
        config.setInitializationFailTimeout(Math.max(1, pool.timeout().toMillis()));
        config.addDataSourceProperty("ApplicationName", poolName);
        config.addDataSourceProperty("connectTimeout", "10");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("assumeMinServerVersion", ASSUME_MIN_SERVER_VERSION);
        if (pooler.prepareThreshold() != null) {
            config.addDataSourceProperty("prepareThreshold", pooler.prepareThreshold());
        } else {
            config.setConnectionInitSql(GENERIC_PLANS);
        }
        HikariDataSource dataSource = new HikariDataSource(config);
        LOG.info(() -> "pool " + poolName + " -> " + url.redacted() + " (minimumIdle=" + config.getMinimumIdle()
                + ", maximumPoolSize=" + config.getMaximumPoolSize() + ", connectionTimeout="
                + pool.timeout().toSeconds() + "s, " + pooler.modeName()
                + (pooler.transactionPooling() ? " pooling, prepareThreshold=0" : "") + ")");
        return dataSource;
    }
}
