package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.dataland.dev.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * backup.sh and restore.sh round-trip a populated database: the schema built by the real services
 * at boot (the agent's Flyway chain, the auth server's bootstrap DDL), rows in every table of both
 * services, then {@code backup.sh --local} (pg_dump -Fc) and {@code restore.sh --local} into a fresh
 * database; every table's row count and content checksum, every sequence and every index must match.
 * Runs against an embedded PostgreSQL 15 because Debian's pg_dump 15 refuses a 16 server.
 */
class BackupRestoreRoundTripTest {

    @TempDir
    static Path dir;
    private static Postgres15 pg;

    @BeforeAll
    static void populate() throws Exception {
        for (String tool : List.of("pg_dump", "pg_restore", "psql")) {
            Ops.requireTool(tool, "postgresql-client");
        }
        pg = Postgres15.start();
        assertTrue(pg.version().startsWith("15."), pg.version());
        pg.createDatabase("dataland_src");
        bootServicesOnce(pg.databaseUrl("dataland_src"));
        try (Connection c = pg.connect("dataland_src"); Statement s = c.createStatement();
             InputStream sql = BackupRestoreRoundTripTest.class.getResourceAsStream("/ops/populate.sql")) {
            s.execute(new String(sql.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** The real services build their schema at boot: start both on the database, wait for health, stop. */
    private static void bootServicesOnce(String databaseUrl) throws Exception {
        int authPort = ServiceProcess.freePort();
        int agentPort = ServiceProcess.freePort();
        Map<String, String> common = Map.of("DATABASE_URL", databaseUrl, "BIND_HOST", "127.0.0.1",
                "AUTH_DATA_DIR", dir.resolve("auth-data").toString(), "AUTH_PORT", Integer.toString(authPort),
                "AGENT_PORT", Integer.toString(agentPort), "AUTH_JWKS_URL", "http://127.0.0.1:" + authPort + "/.well-known/jwks.json",
                "DB_POOL_SIZE", "2", "DB_MAX_OVERFLOW", "2");
        List<String> jvm = List.of("-Xmx256m", "-XX:+UseSerialGC");
        // auth first, as compose orders them; auth with its own JVM flags (auth/jvm.options)
        try (ServiceProcess auth = ServiceProcess.start("auth", ServiceProcess.javaJar("auth", Stack.jvmOptions(Ops.root(), "auth")),
                common, authPort, dir).awaitHealthy();
             ServiceProcess agent = ServiceProcess.start("agent", ServiceProcess.javaJar("agent", jvm), common, agentPort, dir).awaitHealthy()) {
            agent.stop();
            auth.stop();
        }
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    private static Ops.Result script(String name, String database, String... args) {
        List<String> command = new ArrayList<>(List.of(Ops.composeDir().resolve(name).toString()));
        command.addAll(List.of(args));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DATABASE_URL", pg.databaseUrl(database));
        for (String libpq : List.of("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "BACKUP_DIR")) {
            env.put(libpq, null);
        }
        return Ops.run(command, dir, env, 180);
    }

    /** Table name to "rows:md5" (md5 over every row's text, in row-text order). */
    static Map<String, String> fingerprint(Connection c) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        List<String> tables = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        for (String table : tables) {
            // table names come from the catalog, quoted as identifiers
            String quoted = "\"" + table.replace("\"", "\"\"") + "\"";
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM " + quoted + " t")) {
                rs.next();
                out.put(table, rs.getLong(1) + ":" + rs.getString(2));
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT sequencename, coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")) {
            while (rs.next()) {
                out.put("sequence " + rs.getString(1), "last_value " + rs.getLong(2));
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")) {
            while (rs.next()) {
                out.put("index " + rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    @Test
    void everyTableOfBothServicesSurvivesDumpAndRestore() throws Exception {
        Map<String, String> before;
        try (Connection c = pg.connect("dataland_src")) {
            before = fingerprint(c);
        }
        for (String table : List.of("users", "conversations", "messages", "message_images", "message_sources",
                "message_suggestions", "tickets", "runs", "auth_server_users", "flyway_schema_history")) {
            assertTrue(before.containsKey(table), "the services' boot did not create " + table + ": " + before.keySet());
        }
        before.forEach((table, print) -> {
            if (!table.contains(" ")) {
                assertFalse(print.startsWith("0:"), table + " has no row: add some to populate.sql");
            }
        });

        Ops.Result backup = script("backup.sh", "dataland_src", "--local", "--out", dir.resolve("backups").toString());
        assertEquals(0, backup.exit(), backup.all());
        Path dump = Path.of(backup.stdout().strip());
        assertTrue(dump.getFileName().toString().matches("dataland-\\d{8}T\\d{6}Z\\.dump"), dump.toString());
        assertEquals("PGDMP", new String(Files.readAllBytes(dump), 0, 5, StandardCharsets.US_ASCII), "custom format");
        assertFalse(backup.all().contains(Postgres15.APP_PASSWORD), "the password is never printed");
        try (var partials = Files.list(dump.getParent())) {
            assertEquals(List.of(dump), partials.toList(), "no .partial file is left behind");
        }

        pg.createDatabase("dataland_restored");
        Ops.Result restore = script("restore.sh", "dataland_restored", "--local", dump.toString());
        assertEquals(0, restore.exit(), restore.all());
        try (Connection c = pg.connect("dataland_restored")) {
            assertEquals(before, fingerprint(c));
        }

        // a second restore over the now populated database is refused and changes nothing ...
        Ops.Result again = script("restore.sh", "dataland_restored", "--local", dump.toString());
        assertEquals(1, again.exit(), again.all());
        assertTrue(again.stderr().contains("REFUSED") && again.stderr().contains("--clean"), again.stderr());
        // ... unless --clean replaces the database's objects with the dump's
        try (Connection c = pg.connect("dataland_restored"); Statement s = c.createStatement()) {
            s.execute("DELETE FROM message_suggestions");
            s.execute("INSERT INTO users (id) VALUES ('written-after-the-backup')");
        }
        Ops.Result clean = script("restore.sh", "dataland_restored", "--local", "--clean", dump.toString());
        assertEquals(0, clean.exit(), clean.all());
        try (Connection c = pg.connect("dataland_restored")) {
            assertEquals(before, fingerprint(c));
        }
    }

    @Test
    void containerModeRunsTheSameToolsThroughDockerExec() throws Exception {
        // the stub's `docker exec -i dataland-postgres CMD` runs CMD here, with libpq pointed at the server
        DockerStub docker = new DockerStub(dir.resolve("container-mode"))
                .with("PGHOST", "127.0.0.1").with("PGPORT", Integer.toString(pg.port()))
                .with("PGPASSWORD", Postgres15.APP_PASSWORD).with("POSTGRES_USER", Postgres15.APP_USER)
                .with("POSTGRES_DB", "dataland_src").with("DATABASE_URL", null).with("BACKUP_DIR", null);
        Ops.Result backup = docker.run("backup.sh", "--container", "--out", dir.resolve("container-backups").toString());
        assertEquals(0, backup.exit(), backup.all());
        Path dump = Path.of(backup.stdout().strip());
        List<String> calls = docker.calls();
        assertEquals("exec dataland-postgres pg_dump -Fc -U " + Postgres15.APP_USER + " -d dataland_src", calls.get(0));
        assertEquals("exec -i dataland-postgres pg_restore --list", calls.get(1));

        pg.createDatabase("dataland_container");
        Ops.Result restore = docker.with("POSTGRES_DB", "dataland_container").run("restore.sh", "--container", dump.toString());
        assertEquals(0, restore.exit(), restore.all());
        assertTrue(docker.calls().getLast().startsWith("exec -i dataland-postgres pg_restore --no-owner --no-privileges "
                + "--single-transaction --exit-on-error -U " + Postgres15.APP_USER + " -d dataland_container"), docker.calls().toString());
        try (Connection src = pg.connect("dataland_src"); Connection dst = pg.connect("dataland_container")) {
            assertEquals(fingerprint(src), fingerprint(dst));
        }
        Ops.Result otherName = docker.with("STUB_EXPECT_CONTAINER", "pg-blue")
                .run("restore.sh", "--container=pg-blue", "--clean", dump.toString());
        assertEquals(0, otherName.exit(), otherName.all());
    }

    @Test
    void bothServicesPrintTheTopTablesWithDbStats() {
        for (String service : List.of("agent", "auth")) {
            List<String> command = new ArrayList<>(ServiceProcess.javaJar(service, service.equals("auth")
                    ? Stack.jvmOptions(Ops.root(), "auth") : List.of("-Xmx128m", "-XX:+UseSerialGC")));
            command.addAll(List.of("db-stats", "--limit", "20"));
            Ops.Result stats = Ops.run(command, dir, Map.of("DATABASE_URL", pg.databaseUrl("dataland_src")), 60);
            assertEquals(0, stats.exit(), service + ": " + stats.all());
            List<String> lines = stats.stdout().lines().toList();
            assertTrue(lines.getFirst().startsWith("top tables by live row count"), stats.stdout());
            for (String table : List.of("users", "messages", "message_suggestions", "auth_server_users", "flyway_schema_history")) {
                assertTrue(lines.stream().anyMatch(l -> l.matches(table + "\\s+\\d+\\s+\\d+\\s+.*")), service + " lists " + table + ":\n" + stats.stdout());
            }
            assertFalse(stats.all().contains(Postgres15.APP_PASSWORD));
        }
    }

    @Test
    void aBrokenDumpIsRefusedAndARestoreFailureRollsBack() throws Exception {
        Path notADump = Files.writeString(dir.resolve("not-a-dump.sql"), "SELECT 1;");
        Ops.Result refused = script("restore.sh", "dataland_src", "--local", notADump.toString());
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.stderr().contains("not a pg_dump custom-format archive"), refused.stderr());

        Ops.Result backup = script("backup.sh", "dataland_src", "--local", "--out", dir.resolve("broken").toString());
        assertEquals(0, backup.exit(), backup.all());
        byte[] bytes = Files.readAllBytes(Path.of(backup.stdout().strip()));
        Path truncated = dir.resolve("truncated.dump");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length * 2 / 3));
        pg.createDatabase("dataland_partial");
        Ops.Result failed = script("restore.sh", "dataland_partial", "--local", truncated.toString());
        assertNotEquals(0, failed.exit(), "a truncated dump must not restore: " + failed.all());
        try (Connection c = pg.connect("dataland_partial")) {
            assertEquals(Map.of(), fingerprint(c), "the single transaction rolled back: nothing half-restored");
        }

        Ops.Result noServer = Ops.run(List.of(Ops.composeDir().resolve("backup.sh").toString(), "--local", "--out", dir.resolve("none").toString()),
                dir, Map.of("DATABASE_URL", "postgresql://nobody:x@127.0.0.1:1/none"), 60);
        assertNotEquals(0, noServer.exit());
        try (var left = Files.list(dir.resolve("none"))) {
            assertEquals(List.of(), left.toList(), "a failed backup leaves no file");
        }
        assertEquals(2, Ops.run(List.of(Ops.composeDir().resolve("backup.sh").toString()), dir, Map.of(), 30).exit(),
                "backup.sh without --local or --container is a usage error");
    }
}
