package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.dataland.agent.schema.Migrations;
import io.dataland.auth.password.PasswordHasher;
import io.jsonwebtoken.Jwts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The cutover of docs/cutover.md, on this machine, with the real jars and scripts and PostgreSQL 15:
 * a database as the Python stack leaves it (Alembic at 0010, SQLAlchemy foreign keys without cascade,
 * rows in every table, staff with Argon2id and legacy sha256 hashes) and its RSA key (PKCS#1);
 * backup, import-key under the old kid, {@code agent.jar migrate} as its own step, both services with
 * {@code DB_MIGRATE_ON_BOOT=false}; every conversation and message read back through the API with a
 * token the old server issued before the switch, every staff login working, a conversation with
 * children deleted; then the rollback (restore.sh --clean of the backup) and the check that the
 * database is the old one again. And item 5 on its own: the same dump restored onto a fresh stack
 * that has already migrated (its Flyway history must not survive), then the agent booted on it.
 */
class CutoverDryRunTest {

    private static final String OLD_KID = "dataland-auth-1";
    private static final Map<String, String> STAFF = new LinkedHashMap<>();

    static {
        STAFF.put("curator@example.org", "argon2 staff password");
        STAFF.put("guide@example.org", "legacy sha256 password");
    }

    @TempDir
    static Path dir;
    private static Postgres15 pg;
    private static KeyPair oldKey;
    private static Path dump;
    private static Map<String, String> oldFingerprint;

    @BeforeAll
    static void pythonEraProduction() throws Exception {
        for (String tool : List.of("pg_dump", "pg_restore", "psql")) {
            Ops.requireTool(tool, "postgresql-client");
        }
        pg = Postgres15.start();
        pg.createDatabase("prod");
        alembicEraSchemaWithRows("prod");
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        oldKey = generator.generateKeyPair();
        // the Python auth's key file: PKCS#1 ("TraditionalOpenSSL"), the body of the PKCS#8 encoding
        byte[] pkcs8 = oldKey.getPrivate().getEncoded();
        byte[] pkcs1 = java.util.Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
        Files.writeString(dir.resolve("old-private.pem"), "-----BEGIN RSA PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs1)
                + "\n-----END RSA PRIVATE KEY-----\n");
        try (Connection c = pg.connect("prod")) {
            oldFingerprint = BackupRestoreRoundTripTest.fingerprint(c);
        }
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    /** V1..V10 by this chain, then made to look like the Python stack's: Alembic stamp, FKs without cascade. */
    private static void alembicEraSchemaWithRows(String database) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL("jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + database);
        ds.setUser(Postgres15.APP_USER);
        ds.setPassword(Postgres15.APP_PASSWORD);
        Migrations.flyway(ds).target("10").load().migrate();
        PasswordHasher hasher = new PasswordHasher();
        String legacySalt = "5a1t";
        String legacyHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest((legacySalt + STAFF.get("guide@example.org")).getBytes(StandardCharsets.UTF_8)));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE flyway_schema_history");
            s.execute("CREATE TABLE alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))");
            s.execute("INSERT INTO alembic_version VALUES ('0010_user_profile_fields')");
            for (String child : List.of("message_images", "message_sources", "message_suggestions")) {
                s.execute("ALTER TABLE " + child + " DROP CONSTRAINT " + child + "_message_id_fkey, ADD FOREIGN KEY (message_id) REFERENCES messages (id)");
            }
            s.execute("""
                    INSERT INTO users (id, email, full_name) VALUES ('u-ada', 'ada@example.org', 'Ada'), ('u-bob', 'bob@example.org', NULL);
                    INSERT INTO conversations (id, user_id, title, mode) VALUES
                        ('conv-1', 'u-ada', 'Paintings', 'general'), ('TICKET-1', 'u-ada', NULL, 'museum'), ('conv-3', 'u-bob', 'Sculpture', 'general');
                    INSERT INTO messages (id, conversation_id, seq, run_id, role, text, feedback, created_at) VALUES
                        ('m1', 'conv-1', 1, 'run-1', 'user', 'Hi', NULL, '2025-01-01 10:00:00+00'),
                        ('m2', 'conv-1', 2, 'run-1', 'assistant', 'Hello', 'like', '2025-01-01 10:00:02+00'),
                        ('m3', 'TICKET-1', 1, NULL, 'user', 'Where is the cafe?', NULL, '2025-01-02 09:00:00+00'),
                        ('m4', 'conv-3', 1, NULL, 'user', 'Rodin?', NULL, '2025-01-03 09:00:00+00');
                    INSERT INTO message_images (message_id, title, artist, image_path, score) VALUES ('m2', 'Starry Night', 'van Gogh', '/img/1.jpg', 0.9);
                    INSERT INTO message_sources (message_id, title, uri, confidence) VALUES ('m2', 'Catalogue', 'https://museum/cat', 0.7);
                    INSERT INTO message_suggestions (message_id, text, sequence) VALUES ('m2', 'Tell me more', 0);
                    INSERT INTO user_ticket_mappings (user_id, ticket_id, active) VALUES ('u-ada', 'TICKET-1', true), ('u-bob', 'TICKET-2', true);
                    INSERT INTO tickets (id, user_id, external_id, visit_count) VALUES ('TICKET-1', 'u-ada', 'EXT-1', 3);
                    INSERT INTO runs (id, conversation_id, user_id, model, status) VALUES ('run-1', 'conv-1', 'u-ada', 'gemini-3.5-flash', 'success');
                    CREATE TABLE auth_server_users (
                        id bigserial PRIMARY KEY, sub text UNIQUE, email text UNIQUE NOT NULL, hash text NOT NULL, salt text NOT NULL,
                        full_name text, location text NOT NULL DEFAULT '', profile_photo_url text, stripe_customer_id text,
                        created_at timestamptz NOT NULL DEFAULT now());
                    """);
            s.execute("INSERT INTO auth_server_users (sub, email, hash, salt) VALUES ('staff-1', 'curator@example.org', '"
                    + hasher.hash(STAFF.get("curator@example.org")) + "', 'argon2'), ('staff-2', 'guide@example.org', '"
                    + legacyHash + "', '" + legacySalt + "')");
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

    private static Ops.Result jar(String service, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(ServiceProcess.javaJar(service, List.of("-Xmx256m", "-XX:+UseSerialGC")));
        command.addAll(List.of(args));
        Map<String, String> all = new LinkedHashMap<>(env);
        all.putIfAbsent("AUTH_DATABASE_URL", null);
        return Ops.run(command, dir, all, 180);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> history(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT type, version FROM flyway_schema_history ORDER BY installed_rank")) {
            while (rs.next()) {
                out.add(("BASELINE".equals(rs.getString(1)) ? "baseline " : "") + rs.getString(2));
            }
        }
        return out;
    }

    private static ServiceProcess.Pair start(String database, Path authData, String migrateOnBoot) throws Exception {
        return start(database, authData, migrateOnBoot, Map.of());
    }

    private static ServiceProcess.Pair start(String database, Path authData, String migrateOnBoot,
                                             Map<String, String> extra) throws Exception {
        int authPort = ServiceProcess.freePort();
        int agentPort = ServiceProcess.freePort();
        Map<String, String> env = new LinkedHashMap<>(Map.of("DATABASE_URL", pg.databaseUrl(database), "BIND_HOST", "127.0.0.1",
                "AUTH_DATA_DIR", authData.toString(), "AUTH_PORT", Integer.toString(authPort),
                "AGENT_PORT", Integer.toString(agentPort), "AUTH_JWKS_URL", "http://127.0.0.1:" + authPort + "/.well-known/jwks.json",
                "DB_POOL_SIZE", "2", "DB_MAX_OVERFLOW", "2", "DB_MIGRATE_ON_BOOT", migrateOnBoot));
        env.putAll(extra);
        return ServiceProcess.startAuthThenAgent(database, env, authPort, env, agentPort, dir);
    }

    private static HttpResponse<String> send(int port, String method, String path, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A token as the old auth server issued it before the switch: its key, its kid. */
    private static String oldServerToken(String sub) {
        return Jwts.builder().header().keyId(OLD_KID).and().subject(sub)
                .expiration(new Date(System.currentTimeMillis() + 600_000)).signWith(oldKey.getPrivate()).compact();
    }

    @Test
    void theCutoverAndItsRollback() throws Exception {
        long started = System.nanoTime();
        // 1. back up the old database (the rollback point)
        Ops.Result backup = script("backup.sh", "prod", "--local", "--out", dir.resolve("backups").toString());
        assertEquals(0, backup.exit(), backup.all());
        dump = Path.of(backup.stdout().strip());

        // 2. the old signing key under its old kid
        Path authData = Files.createDirectories(dir.resolve("auth-data"));
        Ops.Result imported = jar("auth", Map.of("AUTH_DATA_DIR", authData.toString()),
                "import-key", "--pem", dir.resolve("old-private.pem").toString(), "--kid", OLD_KID);
        assertEquals(0, imported.exit(), imported.all());

        // 3. the migration as its own step
        Map<String, String> db = Map.of("DATABASE_URL", pg.databaseUrl("prod"));
        Ops.Result info = jar("agent", db, "info");
        assertTrue(info.stdout().contains("Alembic revision 0010_user_profile_fields: migrate baselines at V10"), info.all());
        // V11 would drop the tickets' old columns and user_ticket_mappings, which hold rows: without the
        // operator's word that there is a backup, migrate refuses and changes nothing
        Ops.Result refused = jar("agent", db, "migrate");
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.stderr().contains("V11 (slim tickets) would drop data: user_ticket_mappings (2 rows);"
                + " tickets.external_id, tickets.last_seen, tickets.visit_count (1 rows). Nothing was changed."), refused.all());
        try (Connection c = pg.connect("prod")) {
            assertEquals(oldFingerprint, BackupRestoreRoundTripTest.fingerprint(c), "the refused migrate changed the database");
        }
        Ops.Result migrate = jar("agent", db, "migrate", "--i-have-a-backup");
        assertEquals(0, migrate.exit(), migrate.all());
        assertTrue(migrate.stdout().contains("applied 3 migration(s)"), migrate.all());
        try (Connection c = pg.connect("prod")) {
            assertEquals(List.of("baseline 10", "11", "12", "13"), history(c));
        }

        // 4. the new services, migrations off, as compose runs them
        try (ServiceProcess.Pair services = start("prod", authData, "false")) {
            int agent = services.agent().port();
            int auth = services.auth().port();
            // every conversation and message, read by its owner with a token the old server issued
            try (Connection c = pg.connect("prod"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT c.id, c.user_id, (SELECT string_agg(m.id, ',' ORDER BY m.seq) FROM messages m"
                         + " WHERE m.conversation_id = c.id) FROM conversations c ORDER BY c.id")) {
                int conversations = 0;
                while (rs.next()) {
                    HttpResponse<String> read = send(agent, "GET", "/v1/conversations/" + rs.getString(1), oldServerToken(rs.getString(2)), null);
                    assertEquals(200, read.statusCode(), read.body());
                    for (String message : rs.getString(3).split(",")) {
                        assertTrue(read.body().contains("\"id\":\"" + message + "\""), message + " in " + read.body());
                    }
                    conversations++;
                }
                assertEquals(3, conversations);
            }
            HttpResponse<String> conv1 = send(agent, "GET", "/v1/conversations/conv-1", oldServerToken("u-ada"), null);
            assertTrue(conv1.body().contains("Starry Night") && conv1.body().contains("Catalogue") && conv1.body().contains("Tell me more"), conv1.body());
            // every staff login, with new tokens under the old kid that the agent accepts
            for (Map.Entry<String, String> staff : STAFF.entrySet()) {
                HttpResponse<String> login = send(auth, "POST", "/auth/login", null,
                        "{\"email\":\"" + staff.getKey() + "\",\"password\":\"" + staff.getValue() + "\"}");
                assertEquals(200, login.statusCode(), staff.getKey() + ": " + login.body());
                String token = login.body().replaceFirst("(?s).*\"access_token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
                String header = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
                assertTrue(header.contains("\"kid\":\"" + OLD_KID + "\""), header);
                assertEquals(200, send(agent, "GET", "/v1/me", token, null).statusCode());
            }
            // the JWKS serves the old public key under the old kid
            HttpResponse<String> jwks = send(auth, "GET", "/.well-known/jwks.json", null, null);
            String n = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    toUnsigned(((java.security.interfaces.RSAPublicKey) oldKey.getPublic()).getModulus()));
            assertTrue(jwks.body().contains(n) && jwks.body().contains(OLD_KID), jwks.body());
            // V12: a conversation with messages, message children and a run deletes
            HttpResponse<String> deleted = send(agent, "DELETE", "/v1/conversations/conv-1", oldServerToken("u-ada"), null);
            assertEquals(204, deleted.statusCode(), deleted.body());
            services.agent().stop();
            services.auth().stop();
        }
        System.out.printf("cutover dry run: backup, import-key, migrate, both services up, 3 conversations, %d staff logins: %.1f s%n",
                STAFF.size(), (System.nanoTime() - started) / 1e9);

        // 5. the rollback: restore the backup over the migrated database
        Ops.Result rollback = script("restore.sh", "prod", "--local", "--clean", dump.toString());
        assertEquals(0, rollback.exit(), rollback.all());
        assertTrue(rollback.stderr().contains("the dump has no flyway_schema_history"), rollback.stderr());
        try (Connection c = pg.connect("prod")) {
            assertEquals(0, count(c, "SELECT count(*) FROM pg_tables WHERE tablename = 'flyway_schema_history'"));
            Map<String, String> after = BackupRestoreRoundTripTest.fingerprint(c);
            // the new auth's own table is not in the old dump: the old auth never reads it
            after.keySet().removeIf(k -> k.contains("auth_login_throttle"));
            assertEquals(oldFingerprint, after, "the database is the old one again (conv-1, deleted after the backup, is back)");
        }
    }

    @Test
    void anAlembicEraDumpRestoredOntoAFreshStackIsAdoptedNotTakenForHead() throws Exception {
        pg.createDatabase("old2");
        alembicEraSchemaWithRows("old2");
        Ops.Result backup = script("backup.sh", "old2", "--local", "--out", dir.resolve("backups-fresh").toString());
        assertEquals(0, backup.exit(), backup.all());
        Path old = Path.of(backup.stdout().strip());
        pg.createDatabase("fresh");
        Path authData = Files.createDirectories(dir.resolve("fresh-auth-data"));
        // a fresh stack: both services boot once and the agent builds V1..V13
        try (ServiceProcess.Pair services = start("fresh", authData, "true")) {
            services.agent().stop();
            services.auth().stop();
        }
        try (Connection c = pg.connect("fresh")) {
            assertEquals("13", history(c).getLast(), "the fresh stack is at head");
        }
        Ops.Result restore = script("restore.sh", "fresh", "--local", "--clean", old.toString());
        assertEquals(0, restore.exit(), restore.all());
        try (Connection c = pg.connect("fresh")) {
            assertEquals(0, count(c, "SELECT count(*) FROM pg_tables WHERE tablename = 'flyway_schema_history'"),
                    "the fresh stack's history would claim V13 over the restored 0010 schema");
        }
        // migrating on boot, V11 would drop rows of the restored dump: the operator restored a backup, and says so
        try (ServiceProcess.Pair services = start("fresh", authData, "true", Map.of("DB_MIGRATE_ALLOW_DESTRUCTIVE", "true"))) {
            assertEquals(200, send(services.agent().port(), "GET", "/v1/conversations/conv-3", oldServerTokenFor("u-bob", authData), null)
                    .statusCode());
        }
        try (Connection c = pg.connect("fresh")) {
            assertEquals(List.of("baseline 10", "11", "12", "13"), history(c));
            assertEquals(0, count(c, "SELECT count(*) FROM pg_tables WHERE tablename = 'user_ticket_mappings'"));
            assertEquals(2, count(c, "SELECT count(*) FROM tickets"), "TICKET-2's active mapping became a ticket");
            assertEquals(4, count(c, "SELECT count(*) FROM messages"));
        }
    }

    /** A token the fresh stack's auth accepts: signed by the key it created in {@code authData}. */
    private static String oldServerTokenFor(String sub, Path authData) throws Exception {
        Path keys = authData.resolve("signing-keys");
        String kid = Files.readString(keys.resolve("current")).strip();
        String pem = Files.readString(keys.resolve(kid + ".pem"));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        var key = java.security.KeyFactory.getInstance("RSA").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
        return Jwts.builder().header().keyId(kid).and().subject(sub)
                .expiration(new Date(System.currentTimeMillis() + 600_000)).signWith(key).compact();
    }

    private static byte[] toUnsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }
}
