package io.dataland.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * An embedded PostgreSQL 16 server (zonky's binaries from Maven Central): for the tests, the dev stack
 * and the benchmarks. The binaries unpack once into {@code ot.epg.working-dir}
 * ({@code .dev/epg} at the project root when the build sets it).
 */
public final class EmbeddedPg implements AutoCloseable {

    /** The application role every test and the dev stack connect as (never a superuser). */
    public static final String APP_USER = "dataland";

    private final EmbeddedPostgres server;
    private final String appPassword;

    private EmbeddedPg(EmbeddedPostgres server, String appPassword) {
        this.server = server;
        this.appPassword = appPassword;
    }

    /**
     * Starts a server. {@code dataDir} null: a throw-away data directory; otherwise that directory,
     * kept across restarts (initialised on first use). {@code port} 0: a free port.
     */
    public static EmbeddedPg start(Path dataDir, int port, Map<String, String> serverConfig, String appPassword) {
        configureWorkingDir();
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("listen_addresses", "127.0.0.1");
            if (dataDir != null) {
                Files.createDirectories(dataDir.getParent());
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
                // a kept data directory is a real one: keep it durable
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on");
            }
            if (port > 0) {
                builder.setPort(port);
            }
            serverConfig.forEach(builder::setServerConfig);
            EmbeddedPostgres server = builder.start();
            EmbeddedPg pg = new EmbeddedPg(server, appPassword);
            pg.ensureAppRole();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
    }

    /** Points zonky at the shared working directory unless the caller chose one. */
    static void configureWorkingDir() {
        if (System.getProperty("ot.epg.working-dir") == null) {
            String root = System.getProperty("dataland.root");
            Path dir = root != null ? Path.of(root, ".dev", "epg") : Path.of(System.getProperty("java.io.tmpdir"), "dataland-epg");
            System.setProperty("ot.epg.working-dir", dir.toString());
        }
    }

    /** The TCP port. */
    public int port() {
        return server.getPort();
    }

    /** The application role's password. */
    public String appPassword() {
        return appPassword;
    }

    /** A superuser connection to {@code database} (test set-up only). */
    public Connection superuser(String database) throws SQLException {
        return server.getDatabase("postgres", database).getConnection();
    }

    /** Creates {@code name} owned by the application role unless it exists. */
    public void createDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("bad database name " + name);
        }
        try (Connection c = superuser("postgres"); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + name + " OWNER " + APP_USER);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
    }

    /** {@code postgresql://dataland:PASSWORD@127.0.0.1:PORT/NAME}, the form the services read. */
    public String databaseUrl(String database) {
        return "postgresql://" + APP_USER + ":" + appPassword + "@127.0.0.1:" + port() + "/" + database;
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/NAME} (user and password separate). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    private void ensureAppRole() {
        try (Connection c = superuser("postgres"); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + APP_USER + "'");
            if (!rs.next()) {
                s.execute("CREATE ROLE " + APP_USER + " LOGIN CREATEDB PASSWORD '" + appPassword.replace("'", "''") + "'");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the application role", e);
        }
    }

    /** Stops the server (a kept data directory stays). */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
