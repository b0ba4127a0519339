package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.dataland.agent.schema.Migrations;
import io.dataland.auth.password.PasswordHasher;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Issue 13 item 6 on embedded PostgreSQL 16, with the real scripts and the built jars: the roles made by
 * compose/adopt-roles.sh (the same roles.sql a fresh compose volume runs), auth booted as dataland_auth
 * and the agent as dataland_agent (Flyway and the schema check as the owner of its tables, auth's boot
 * DDL as the owner of its), a signup, a login, a museum turn and its reload over HTTP; each role refused
 * (42501) on the other's tables; the grants matrix; and the old stack's database, every table created by
 * the superuser, adopted by the same script and then served by both services as their roles.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class DatabaseRolesTest {

    private static final Pattern TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final List<String> AUTH_TABLES = List.of("auth_login_throttle", "auth_server_users");
    private static final List<String> AGENT_TABLES = List.of("conversations", "flyway_schema_history", "message_images",
            "message_sources", "message_suggestions", "messages", "runs", "tickets", "users");

    @TempDir
    Path dir;

    /** Auth as dataland_auth, then the agent as dataland_agent (migrating on boot, as the owner). */
    private ServiceProcess.Pair start(TestDatabase db) throws Exception {
        int authPort = ServiceProcess.freePort();
        int agentPort = ServiceProcess.freePort();
        Path authData = Files.createDirectories(dir.resolve("auth-data-" + db.name()));
        Map<String, String> common = Map.of("BIND_HOST", "127.0.0.1", "DB_POOL_SIZE", "2", "DB_MAX_OVERFLOW", "2");
        Map<String, String> auth = new LinkedHashMap<>(common);
        auth.putAll(Map.of("AUTH_DATABASE_URL", Roles.url(db, Roles.AUTH), "AUTH_DATA_DIR", authData.toString(),
                "AUTH_PORT", Integer.toString(authPort)));
        Map<String, String> agent = new LinkedHashMap<>(common);
        agent.putAll(Map.of("DATABASE_URL", Roles.url(db, Roles.AGENT), "AGENT_PORT", Integer.toString(agentPort),
                "AUTH_JWKS_URL", "http://127.0.0.1:" + authPort + "/.well-known/jwks.json", "DB_MIGRATE_ON_BOOT", "true",
                "MODEL_PROVIDER", "offline",
                // on a loaded machine the boot-time JWKS fetch can time out against a cold auth; without a
                // cooldown the first token's unknown kid fetches again (caching is not what this test is about)
                "JWKS_REFETCH_COOLDOWN_SECONDS", "0"));
        return ServiceProcess.startAuthThenAgent(db.name(), auth, authPort, agent, agentPort, dir);
    }

    private static HttpResponse<String> send(int port, String method, String path, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.header("Content-Type", "application/json").method(method,
                json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token(HttpResponse<String> answer) {
        Matcher m = TOKEN.matcher(answer.body());
        assertTrue(m.find(), answer.body());
        return m.group(1);
    }

    /** A museum turn for {@code ticket} and its reload: both messages come back from the database. */
    private static void museumTurnAndReload(ServiceProcess.Pair services, String token, String ticket) throws Exception {
        int agent = services.agent().port();
        HttpResponse<String> turn = send(agent, "POST", "/v1/chat/museum", token,
                "{\"ticket_id\":\"" + ticket + "\",\"message\":\"Where is the Night Watch?\"}");
        assertEquals(200, turn.statusCode(), () -> turn.body() + "\nagent log:\n" + log(services.agent()));
        HttpResponse<String> reload = send(agent, "GET", "/v1/conversations/" + ticket, token, null);
        assertEquals(200, reload.statusCode(), reload.body());
        assertTrue(reload.body().contains("\"mode\":\"museum\"") && reload.body().contains("Where is the Night Watch?")
                && reload.body().contains("\"role\":\"assistant\""), reload.body());
    }

    private static String log(ServiceProcess service) {
        try {
            return Files.readString(service.log());
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static String sqlState(TestDatabase db, String role, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> {
            try (Connection c = Roles.connect(db, role); Statement s = c.createStatement()) {
                s.executeQuery(sql).close();
            }
        }, role + " may run: " + sql);
        return e.getSQLState();
    }

    /** Each role is refused (42501 insufficient_privilege) on every table of the other service. */
    private static void refusedAcrossTheLine(TestDatabase db) {
        for (String table : AUTH_TABLES) {
            assertEquals("42501", sqlState(db, Roles.AGENT, "SELECT * FROM " + table), Roles.AGENT + " on " + table);
        }
        for (String table : AGENT_TABLES) {
            assertEquals("42501", sqlState(db, Roles.AUTH, "SELECT * FROM " + table), Roles.AUTH + " on " + table);
        }
        for (String table : List.of("auth_server_users", "conversations", "messages")) {
            assertEquals("42501", sqlState(db, Roles.MONITOR, "SELECT * FROM " + table), Roles.MONITOR + " on " + table);
        }
    }

    /**
     * The grants matrix of {@code db}: table -> role -> "owner" or the privileges held (S I U D) or "-".
     * Printed as the markdown table docs/operations.md carries.
     */
    private static Map<String, Map<String, String>> grants(TestDatabase db) throws SQLException {
        Map<String, Map<String, String>> matrix = new LinkedHashMap<>();
        try (Connection c = db.superuser(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT c.relname, r.rolname, pg_get_userbyid(c.relowner) = r.rolname AS owner,
                       has_table_privilege(r.rolname, c.oid, 'SELECT') AS s, has_table_privilege(r.rolname, c.oid, 'INSERT') AS i,
                       has_table_privilege(r.rolname, c.oid, 'UPDATE') AS u, has_table_privilege(r.rolname, c.oid, 'DELETE') AS d
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 CROSS JOIN (VALUES ('dataland_agent'), ('dataland_auth'), ('dataland_monitor')) AS r(rolname)
                 WHERE n.nspname = 'public' AND c.relkind = 'r'
                 ORDER BY c.relname, r.rolname""")) {
            while (rs.next()) {
                StringBuilder held = new StringBuilder();
                for (String p : List.of("s", "i", "u", "d")) {
                    if (rs.getBoolean(p)) {
                        held.append(held.isEmpty() ? "" : " ").append(p.toUpperCase());
                    }
                }
                String cell = rs.getBoolean("owner") ? "owner (" + held + ")" : held.isEmpty() ? "-" : held.toString();
                matrix.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), cell);
            }
        }
        StringBuilder table = new StringBuilder("| table | dataland_agent | dataland_auth | dataland_monitor |\n|---|---|---|---|\n");
        matrix.forEach((t, roles) -> table.append("| `").append(t).append("` | ").append(String.join(" | ", roles.values())).append(" |\n"));
        System.out.print("grants matrix (" + db.name() + "):\n" + table);
        return matrix;
    }

    private static void assertMatrix(Map<String, Map<String, String>> matrix, List<String> agentTables) {
        assertEquals(new java.util.TreeSet<>(concat(agentTables, AUTH_TABLES)), new java.util.TreeSet<>(matrix.keySet()));
        String owner = "owner (S I U D)";
        for (String t : agentTables) {
            assertEquals(Map.of(Roles.AGENT, owner, Roles.AUTH, "-", Roles.MONITOR, "-"), matrix.get(t), t);
        }
        for (String t : AUTH_TABLES) {
            assertEquals(Map.of(Roles.AGENT, "-", Roles.AUTH, owner, Roles.MONITOR, "-"), matrix.get(t), t);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** None of the three is a superuser or may create roles or databases; the monitor is in pg_monitor. */
    private static void assertRoleAttributes(TestDatabase db) throws SQLException {
        try (Connection c = db.superuser(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, pg_has_role(rolname, 'pg_monitor', 'MEMBER')
                  FROM pg_roles WHERE rolname LIKE 'dataland\\_%' AND rolname <> 'dataland' ORDER BY rolname""")) {
            List<String> seen = new ArrayList<>();
            while (rs.next()) {
                String role = rs.getString(1);
                seen.add(role);
                assertFalse(rs.getBoolean(2) || rs.getBoolean(3) || rs.getBoolean(4), role + " has a power it must not have");
                assertTrue(rs.getBoolean(5), role + " cannot log in");
                assertEquals(role.equals(Roles.MONITOR), rs.getBoolean(6), role + " pg_monitor membership");
            }
            assertEquals(List.of(Roles.AGENT, Roles.AUTH, Roles.MONITOR), seen);
        }
    }

    @Test
    void aFreshDatabaseServedByBothServicesAsTheirOwnRoles(TestDatabase db) throws Exception {
        Ops.Result adopt = Roles.adopt(db, dir);
        assertEquals(0, adopt.exit(), adopt.all());
        assertFalse(adopt.all().contains(Roles.PASSWORDS.get(Roles.AGENT)), "no password printed");
        assertRoleAttributes(db);
        try (ServiceProcess.Pair services = start(db)) {
            int auth = services.auth().port();
            HttpResponse<String> signup = send(auth, "POST", "/auth/signup", null,
                    "{\"email\":\"curator@example.org\",\"password\":\"a long enough password\"}");
            assertEquals(201, signup.statusCode(), signup.body());
            HttpResponse<String> login = send(auth, "POST", "/auth/login", null,
                    "{\"email\":\"curator@example.org\",\"password\":\"a long enough password\"}");
            assertEquals(200, login.statusCode(), login.body());
            museumTurnAndReload(services, token(login), "TICKET-FRESH");
            services.agent().stop();
            services.auth().stop();
        }
        try (Connection c = db.superuser()) {
            assertEquals(List.of(), Roles.findings(c), "every table the services created is owned by its role");
        }
        refusedAcrossTheLine(db);
        assertMatrix(grants(db), AGENT_TABLES);
    }

    @Test
    void theOldStacksDatabaseIsAdoptedThenServedAsTheRoles(TestDatabase fresh) throws Exception {
        // the Python stack's situation: a database owned by the superuser, every table created by it
        String name = fresh.name() + "_old";
        try (Connection c = fresh.server().superuser("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        TestDatabase db = new TestDatabase(fresh.server(), name);
        PGSimpleDataSource superuser = new PGSimpleDataSource();
        superuser.setURL(db.jdbcUrl());
        superuser.setUser("postgres");
        new Migrations(superuser).migrate();
        try (Connection c = db.superuser(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE auth_server_users (
                        id bigserial PRIMARY KEY, sub text UNIQUE, email text UNIQUE NOT NULL, hash text NOT NULL, salt text NOT NULL,
                        full_name text, location text NOT NULL DEFAULT '', profile_photo_url text, stripe_customer_id text,
                        created_at timestamptz NOT NULL DEFAULT now());
                    INSERT INTO users (id, email) VALUES ('staff-1', 'guide@example.org');
                    INSERT INTO conversations (id, user_id, title, mode) VALUES ('conv-old', 'staff-1', 'Before the switch', 'general');
                    INSERT INTO messages (id, conversation_id, seq, role, text) VALUES ('m-old', 'conv-old', 1, 'user', 'an old question');
                    """);
            s.execute("INSERT INTO auth_server_users (sub, email, hash, salt) VALUES ('staff-1', 'guide@example.org', '"
                    + new PasswordHasher().hash("the guide's password") + "', 'argon2')");
            List<String> before = Roles.findings(c);
            assertTrue(before.contains("auth_server_users is owned by postgres, not dataland_auth")
                    && before.contains("conversations is owned by postgres, not dataland_agent")
                    && before.contains("flyway_schema_history is owned by postgres, not dataland_agent"), before.toString());
        }
        // twice: the step is idempotent
        for (int run = 1; run <= 2; run++) {
            Ops.Result adopt = Roles.adopt(db, dir);
            assertEquals(0, adopt.exit(), "run " + run + ": " + adopt.all());
            assertTrue(adopt.stderr().contains("the roles check finds nothing to fix"), adopt.stderr());
        }
        try (ServiceProcess.Pair services = start(db)) {
            HttpResponse<String> login = send(services.auth().port(), "POST", "/auth/login", null,
                    "{\"email\":\"guide@example.org\",\"password\":\"the guide's password\"}");
            assertEquals(200, login.statusCode(), login.body());
            String token = token(login);
            HttpResponse<String> old = send(services.agent().port(), "GET", "/v1/conversations/conv-old", token, null);
            assertEquals(200, old.statusCode(), old.body());
            assertTrue(old.body().contains("an old question"), old.body());
            museumTurnAndReload(services, token, "TICKET-ADOPTED");
            services.agent().stop();
            services.auth().stop();
        }
        try (Connection c = db.superuser()) {
            assertEquals(List.of(), Roles.findings(c));
            ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM flyway_schema_history");
            assertTrue(rs.next());
            assertNotEquals(0, rs.getInt(1));
        }
        refusedAcrossTheLine(db);
        assertMatrix(grants(db), AGENT_TABLES);
    }
}
