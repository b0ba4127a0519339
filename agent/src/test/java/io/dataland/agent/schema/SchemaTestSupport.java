package io.dataland.agent.schema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dataland.agent.testing.AgentHarness;
import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.TestDatabase;

/** Fresh databases on the test JVM's server, old schema versions, and agent boots against them. */
final class SchemaTestSupport {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private SchemaTestSupport() {
    }

    /** A new empty database; returns its name. */
    static String newDatabase(EmbeddedPg pg, String label) {
        String name = "s" + COUNTER.incrementAndGet() + "_" + label + "_" + ProcessHandle.current().pid();
        pg.createDatabase(name);
        return name;
    }

    /** A small pool whose sessions run in {@code timeZone} (never UTC, to catch naive-time mistakes). */
    static HikariDataSource pool(EmbeddedPg pg, String database, String timeZone) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(pg.jdbcUrl(database));
        config.setUsername(EmbeddedPg.APP_USER);
        config.setPassword(pg.appPassword());
        config.setMaximumPoolSize(3);
        config.setMinimumIdle(0);
        config.setConnectionInitSql("SET TIME ZONE '" + timeZone + "'");
        return new HikariDataSource(config);
    }

    /** An application-role connection in {@code timeZone}. */
    static Connection connect(EmbeddedPg pg, String database, String timeZone) throws SQLException {
        Connection c = DriverManager.getConnection(pg.jdbcUrl(database), EmbeddedPg.APP_USER, pg.appPassword());
        try (Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE '" + timeZone + "'");
        }
        return c;
    }

    /** Builds the schema at {@code version} by running V1..V{@code version}. */
    static void buildAt(EmbeddedPg pg, String database, int version) {
        try (HikariDataSource ds = pool(pg, database, "UTC")) {
            Migrations.flyway(ds).target(String.valueOf(version)).load().migrate();
        }
    }

    /** Turns a Flyway-built database into an Alembic one stamped at {@code revision}. */
    static void stampAlembic(Connection c, String revision) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE flyway_schema_history");
            s.execute("CREATE TABLE alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))");
            s.execute("INSERT INTO alembic_version VALUES ('" + revision + "')");
        }
    }

    /** The auth server's table as the seed describes it (its own DDL lives in the auth module). */
    /**
     * Creates the auth server's tables with its real bootstrap DDL ({@code db/auth/01_create_tables.sql}
     * from the sql module: {@code auth_server_users} and {@code auth_login_throttle}) and one staff row.
     */
    static void createAuthTable(Connection c) throws SQLException {
        String ddl;
        try (var in = SchemaTestSupport.class.getClassLoader().getResourceAsStream("db/auth/01_create_tables.sql")) {
            ddl = new String(java.util.Objects.requireNonNull(in, "db/auth/01_create_tables.sql").readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (Statement s = c.createStatement()) {
            for (String chunk : ddl.split("(?m)^-- statement:.*$")) {
                String sql = chunk.lines().filter(line -> !line.strip().startsWith("--"))
                        .collect(java.util.stream.Collectors.joining("\n")).strip();
                if (!sql.isEmpty()) {
                    s.execute(sql);
                }
            }
            s.execute("INSERT INTO auth_server_users (sub, email, hash, salt) VALUES (gen_random_uuid()::text, 'staff@example.org', 'h', 'argon2')"
                    + " ON CONFLICT DO NOTHING");
        }
    }

    /** Boots a real agent through the one harness (small pool) against {@code database} with extra {@code env}. */
    static AgentHarness boot(EmbeddedPg pg, String database, Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(Map.of("DB_POOL_SIZE", "2", "DB_MAX_OVERFLOW", "2"));
        all.putAll(env);
        return AgentHarness.start(new TestDatabase(pg, database), all);
    }

    /** The applied versions in {@code flyway_schema_history}, in order ("0" or "7" first for a baseline). */
    static List<String> history(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, type, success FROM flyway_schema_history ORDER BY installed_rank")) {
            while (rs.next()) {
                if (!rs.getBoolean(3)) {
                    throw new AssertionError("failed migration in history: " + rs.getString(1));
                }
                out.add(("BASELINE".equals(rs.getString(2)) ? "baseline " : "") + rs.getString(1));
            }
        }
        return out;
    }

    /** V{@code from}..V13 (head) as history entries. */
    static List<String> versions(int from) {
        List<String> out = new ArrayList<>();
        for (int v = from; v <= 13; v++) {
            out.add(String.valueOf(v));
        }
        return out;
    }
}
