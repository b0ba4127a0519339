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

    /** A started pool named {@code poolName} (also the PostgreSQL {@code application_name}). */
    public static HikariDataSource create(String poolName, DatabaseUrl url, PoolSettings pool) {
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
        HikariDataSource dataSource = new HikariDataSource(config);
        LOG.info(() -> "pool " + poolName + " -> " + url.redacted() + " (minimumIdle=" + config.getMinimumIdle()
                + ", maximumPoolSize=" + config.getMaximumPoolSize() + ", connectionTimeout="
                + pool.timeout().toSeconds() + "s)");
        return dataSource;
    }
}
