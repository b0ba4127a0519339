package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.auth.schema.AuthSchema;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bootstrap DDL: from nothing, from the oldest table shape with legacy rows, twice, concurrently,
 * and failing loudly (with nothing half-applied) when a statement cannot run.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class SchemaBootstrapTest {

    private static final List<String> COLUMNS = List.of("id", "sub", "email", "hash", "salt", "full_name",
            "location", "profile_photo_url", "stripe_customer_id", "created_at");

    private TestDatabase db;
    private HikariDataSource pool;

    @BeforeEach
    void reset(TestDatabase db) throws SQLException {
        this.db = db;
        sql("DROP TABLE IF EXISTS auth_server_users, auth_login_throttle");
        pool = db.newDataSource(4);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void createsEverythingOnAnEmptyDatabase() throws SQLException {
        AuthSchema.Result result = AuthDatabase.bootstrap(pool);
        assertEquals(List.of(), result.addedColumns());
        assertEquals(COLUMNS, columns());
        assertTrue(indexes().containsAll(List.of("auth_server_users_pkey", "auth_server_users_sub_key",
                "auth_server_users_email_key", "auth_login_throttle_pkey", "auth_login_throttle_window_idx")), indexes().toString());
        assertEquals("NO", scalar("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'auth_server_users'"
                + " AND column_name = 'sub'"));
    }

    @Test
    void upgradesTheOldestShapeKeepingEveryRow() throws SQLException {
        sql("CREATE TABLE auth_server_users (id BIGSERIAL PRIMARY KEY, email TEXT UNIQUE NOT NULL, hash TEXT NOT NULL,"
                + " salt TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        sql("INSERT INTO auth_server_users (email, hash, salt, created_at) SELECT 'user' || g || '@example.org',"
                + " md5('h' || g) || md5('x' || g), 'salt' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour'"
                + " FROM generate_series(1, 50) g");
        String before = rows("id, email, hash, salt, created_at");

        AuthSchema.Result result = AuthDatabase.bootstrap(pool);

        assertEquals(List.of("sub", "full_name", "location", "profile_photo_url", "stripe_customer_id"), result.addedColumns());
        assertEquals(50, result.subsBackfilled());
        assertEquals(COLUMNS.size(), columns().size());
        assertTrue(columns().containsAll(COLUMNS));
        assertEquals(before, rows("id, email, hash, salt, created_at"), "old columns untouched");
        assertEquals("50", scalar("SELECT count(DISTINCT sub) FROM auth_server_users WHERE sub ~ "
                + "'^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'"));
        assertEquals("50", scalar("SELECT count(*) FROM auth_server_users WHERE location = '' AND full_name IS NULL"));
        assertTrue(indexes().contains("auth_server_users_sub_key"));

        String schema = schemaSnapshot();
        String everything = rows("*");
        AuthSchema.Result again = AuthDatabase.bootstrap(pool);
        assertEquals(List.of(), again.addedColumns());
        assertEquals(0, again.subsBackfilled());
        assertEquals(schema, schemaSnapshot(), "a second boot changes no schema");
        assertEquals(everything, rows("*"), "a second boot changes no row");
    }

    @Test
    void aPartlyUpgradedTableGetsOnlyWhatItLacks() throws SQLException {
        sql("CREATE TABLE auth_server_users (id BIGSERIAL PRIMARY KEY, sub TEXT UNIQUE, email TEXT UNIQUE NOT NULL,"
                + " hash TEXT NOT NULL, salt TEXT NOT NULL, full_name TEXT, created_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        sql("INSERT INTO auth_server_users (sub, email, hash, salt) VALUES ('kept-sub', 'a@example.org', 'h', 's'),"
                + " (NULL, 'b@example.org', 'h', 's')");
        AuthSchema.Result result = AuthDatabase.bootstrap(pool);
        assertEquals(List.of("location", "profile_photo_url", "stripe_customer_id"), result.addedColumns());
        assertEquals(1, result.subsBackfilled());
        assertEquals("kept-sub", scalar("SELECT sub FROM auth_server_users WHERE email = 'a@example.org'"));
    }

    @Test
    void twoInstancesBootingAtOnceBothSucceed() throws Exception {
        sql("CREATE TABLE auth_server_users (id BIGSERIAL PRIMARY KEY, email TEXT UNIQUE NOT NULL, hash TEXT NOT NULL,"
                + " salt TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        sql("INSERT INTO auth_server_users (email, hash, salt) SELECT 'u' || g || '@example.org', 'h', 's'"
                + " FROM generate_series(1, 200) g");
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (HikariDataSource a = db.newDataSource(2); HikariDataSource b = db.newDataSource(2);
             HikariDataSource c = db.newDataSource(2)) {
            List<Callable<AuthSchema.Result>> boots = List.of(() -> AuthDatabase.bootstrap(a), () -> AuthDatabase.bootstrap(b),
                    () -> AuthDatabase.bootstrap(c), () -> AuthDatabase.bootstrap(pool));
            long upgraded = 0;
            for (Future<AuthSchema.Result> boot : threads.invokeAll(boots)) {
                if (!boot.get().addedColumns().isEmpty()) {
                    upgraded++;
                }
            }
            assertEquals(1, upgraded, "exactly one instance applied the upgrade");
        } finally {
            threads.shutdown();
        }
        assertEquals("200", scalar("SELECT count(DISTINCT sub) FROM auth_server_users"));
    }

    @Test
    void aFailingStatementStopsTheBootAndLeavesNothingHalfDone() throws SQLException {
        // duplicate emails: the unique index cannot be built
        sql("CREATE TABLE auth_server_users (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL, hash TEXT NOT NULL,"
                + " salt TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        sql("INSERT INTO auth_server_users (email, hash, salt) VALUES ('dup@example.org', 'h', 's'), ('dup@example.org', 'h', 's')");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AuthDatabase.bootstrap(pool));
        assertTrue(e.getMessage().startsWith("auth schema bootstrap failed"), e.getMessage());
        assertEquals(List.of("id", "email", "hash", "salt", "created_at"), columns(), "rolled back");
        assertFalse(indexes().contains("auth_login_throttle_pkey"));
    }

    @Test
    void aServerRefusesToBootWhenTheDdlFails() throws SQLException {
        sql("CREATE TABLE auth_server_users (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL, hash TEXT NOT NULL,"
                + " salt TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        sql("INSERT INTO auth_server_users (email, hash, salt) VALUES ('dup@example.org', 'h', 's'), ('dup@example.org', 'h', 's')");
        assertThrows(IllegalStateException.class, () -> AuthFixture.start(db, Map.of()).close());
    }

    private List<String> columns() throws SQLException {
        return list("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                + " AND table_name = 'auth_server_users' ORDER BY ordinal_position");
    }

    private List<String> indexes() throws SQLException {
        return list("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname");
    }

    private String schemaSnapshot() throws SQLException {
        return list("SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '"
                + " || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = current_schema()"
                + " ORDER BY table_name, ordinal_position")
                + "\n" + list("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname")
                + "\n" + list("SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE connamespace = current_schema()::regnamespace ORDER BY conname");
    }

    private String rows(String columns) throws SQLException {
        String row = columns.equals("*") ? "u" : "row(" + columns + ")";
        return String.join("\n", list("SELECT CAST(" + row + " AS TEXT) FROM auth_server_users u ORDER BY id"));
    }

    private List<String> list(String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private String scalar(String query) throws SQLException {
        return list(query).get(0);
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = db.server().superuser(db.name()); Statement s = c.createStatement()) {
            s.execute("SET ROLE dataland");
            s.execute(statement);
        }
    }
}
