package io.dataland.testkit;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * A fresh database on the JVM's embedded server, one per test class ({@link EmbeddedPostgresExtension}).
 *
 * @param server the embedded server
 * @param name   the database's name
 */
public record TestDatabase(EmbeddedPg server, String name) {

    /** {@code postgresql://dataland:...@127.0.0.1:PORT/NAME}: what goes into {@code DATABASE_URL}. */
    public String databaseUrl() {
        return server.databaseUrl(name);
    }

    /** The JDBC URL (credentials separate). */
    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    /** The application role's password. */
    public String password() {
        return server.appPassword();
    }

    /** A new small pool as the application role; the caller closes it. */
    public HikariDataSource newDataSource(int maxSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl());
        config.setUsername(EmbeddedPg.APP_USER);
        config.setPassword(password());
        config.setMaximumPoolSize(maxSize);
        config.setMinimumIdle(0);
        config.setPoolName("test-" + name);
        return new HikariDataSource(config);
    }

    /** A superuser connection to this database (set-up that needs it only). */
    public Connection superuser() throws SQLException {
        return server.superuser(name);
    }

    /** An application-role connection to this database. */
    public Connection connect() throws SQLException {
        return java.sql.DriverManager.getConnection(jdbcUrl(), EmbeddedPg.APP_USER, password());
    }

    /** Convenience for tests that take a {@link DataSource}. */
    public DataSource dataSource() {
        return newDataSource(4);
    }
}
