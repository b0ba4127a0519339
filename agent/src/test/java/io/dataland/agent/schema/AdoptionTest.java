package io.dataland.agent.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.dataland.agent.AgentServer;
import io.dataland.agent.testing.AgentHarness;
import io.dataland.kit.config.Settings;
import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.EmbeddedPostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Boot-time schema handling through the real {@link AgentServer#start}: Alembic adoption, the auth
 * server's table in either boot order, concurrent boots, re-boots, migrations switched off, and the
 * operator commands.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class AdoptionTest {

    private static final Map<String, String> NO_ENV = Map.of();
    /** Databases with rows in what V11 drops: the operator's word that there is a backup (DestructiveMigrationTest). */
    private static final Map<String, String> BACKED_UP = Map.of("DB_MIGRATE_ALLOW_DESTRUCTIVE", "true");

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest(name = "Alembic {1} -> baseline V{0} -> head")
    @CsvSource({"1, 0001_baseline", "4, 0004_users_email_lower_uniq", "7, 0007_lift_timestamps_to_tz"})
    void alembicDatabaseIsBaselinedAtItsRevisionAndMigrated(int version, String revision, EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "alembic" + version);
        SchemaTestSupport.buildAt(pg, db, version);
        try (Connection c = SchemaTestSupport.connect(pg, db, "Europe/Berlin")) {
            HistoricalData.load(c, version);
            SchemaTestSupport.stampAlembic(c, revision);
        }
        try (AgentHarness agent = SchemaTestSupport.boot(pg, db, BACKED_UP)) {
            assertTrue(agent.server().port() > 0);
        }
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            List<String> expected = new ArrayList<>(List.of("baseline " + version));
            expected.addAll(SchemaTestSupport.versions(version + 1));
            assertEquals(expected, SchemaTestSupport.history(c));
            HistoricalData.verifyAtHead(c, version);
            assertEquals(1, count(c, "SELECT count(*) FROM alembic_version"), "Alembic's stamp is left alone");
        }
    }

    @Test
    void pythonEraDatabaseWithSlimTicketsAt0010TakesV11ToV13(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "alembic10slim");
        SchemaTestSupport.buildAt(pg, db, 10);
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            HistoricalData.load(c, 10);
            // DAT-296 as the Python app shipped it: tickets already slim, mappings already gone
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO tickets (id, user_id, first_seen) SELECT ticket_id, user_id, created_at"
                        + " FROM user_ticket_mappings WHERE active ON CONFLICT (id) DO NOTHING");
                s.execute("ALTER TABLE tickets DROP COLUMN external_id, DROP COLUMN last_seen, DROP COLUMN visit_count");
                s.execute("DROP TABLE user_ticket_mappings");
            }
            SchemaTestSupport.stampAlembic(c, "0010_user_profile_fields");
        }
        try (AgentHarness agent = SchemaTestSupport.boot(pg, db, NO_ENV)) {
            assertTrue(agent.server().port() > 0);
        }
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            assertEquals(List.of("baseline 10", "11", "12", "13"), SchemaTestSupport.history(c));
            HistoricalData.verifyAtHead(c, 10);
        }
    }

    /**
     * SQLAlchemy models without {@code ondelete=} create plain {@code REFERENCES} keys (NO ACTION), under
     * PostgreSQL's default names or a naming convention's. V12 makes them cascade; deleting a
     * conversation with messages, message children and runs then works through the API.
     */
    @Test
    void adoptedForeignKeysWithoutCascadeAreMadeToCascadeAndAConversationWithChildrenDeletes(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "nocascade");
        SchemaTestSupport.buildAt(pg, db, 10);
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC"); Statement s = c.createStatement()) {
            HistoricalData.load(c, 10);
            s.execute("ALTER TABLE message_images DROP CONSTRAINT message_images_message_id_fkey,"
                    + " ADD FOREIGN KEY (message_id) REFERENCES messages (id)");
            s.execute("ALTER TABLE message_sources DROP CONSTRAINT message_sources_message_id_fkey,"
                    + " ADD CONSTRAINT fk_message_sources_message_id_messages FOREIGN KEY (message_id) REFERENCES messages (id)");
            s.execute("ALTER TABLE message_suggestions DROP CONSTRAINT message_suggestions_message_id_fkey,"
                    + " ADD FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE RESTRICT");
            SchemaTestSupport.stampAlembic(c, "0010_user_profile_fields");
            // the failure V12 exists for: a message with children cannot be deleted
            c.setAutoCommit(false);
            SQLException blocked = assertThrows(SQLException.class, () -> s.execute("DELETE FROM messages WHERE id = 'm2'"));
            assertEquals("23503", blocked.getSQLState(), blocked.getMessage());
            c.rollback();
        }
        try (AgentHarness agent = SchemaTestSupport.boot(pg, db, BACKED_UP)) {
            String ada = agent.token("u-ada");
            assertEquals(200, agent.get("/v1/conversations/conv-1", ada).status());
            AgentHarness.Response deleted = agent.delete("/v1/conversations/conv-1", ada);
            assertEquals(204, deleted.status(), deleted.body());
            assertEquals(404, agent.get("/v1/conversations/conv-1", ada).status());
        }
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            assertEquals(List.of("baseline 10", "11", "12", "13"), SchemaTestSupport.history(c));
            assertEquals(0, count(c, "SELECT count(*) FROM messages WHERE conversation_id = 'conv-1'"));
            assertEquals(0, count(c, "SELECT (SELECT count(*) FROM message_images) + (SELECT count(*) FROM message_sources)"
                    + " + (SELECT count(*) FROM message_suggestions)"), "m2's children went with it");
            assertEquals(0, count(c, "SELECT count(*) FROM runs WHERE conversation_id = 'conv-1'"));
            assertEquals(1, count(c, "SELECT count(*) FROM messages WHERE conversation_id = 'TICKET-1'"), "other conversations stay");
            assertEquals(5, count(c, "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confdeltype = 'c'"
                    + " AND conname IN ('message_images_message_id_fkey', 'message_sources_message_id_fkey',"
                    + " 'message_suggestions_message_id_fkey', 'messages_conversation_id_fkey', 'runs_conversation_id_fkey')"));
            assertEquals(0, count(c, "SELECT count(*) FROM pg_constraint WHERE conname = 'fk_message_sources_message_id_messages'"));

            // idempotent: the same script again changes nothing
            List<String> before = SchemaFingerprint.of(c);
            try (Statement s = c.createStatement()) {
                s.execute(v12());
            }
            assertEquals(before, SchemaFingerprint.of(c));
        }
    }

    private static String v12() throws java.io.IOException {
        try (var in = AdoptionTest.class.getClassLoader().getResourceAsStream("db/agent/V12__child_fks_cascade.sql")) {
            return new String(java.util.Objects.requireNonNull(in, "V12").readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void unknownAlembicRevisionIsRefused(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "alembicbad");
        SchemaTestSupport.buildAt(pg, db, 10);
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            SchemaTestSupport.stampAlembic(c, "0042_from_the_future");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SchemaTestSupport.boot(pg, db, NO_ENV));
        assertTrue(e.getMessage().contains("0042_from_the_future"), e.getMessage());
    }

    @Test
    void authTableFirstThenAgent(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "authfirst");
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            SchemaTestSupport.createAuthTable(c);
        }
        try (AgentHarness agent = SchemaTestSupport.boot(pg, db, NO_ENV)) {
            assertTrue(agent.server().port() > 0);
        }
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            List<String> expected = new ArrayList<>(List.of("baseline 0"));
            expected.addAll(SchemaTestSupport.versions(1));
            assertEquals(expected, SchemaTestSupport.history(c), "V1 must run even though the schema held the auth table");
            assertEquals(1, count(c, "SELECT count(*) FROM auth_server_users"));
            assertEquals(0, count(c, "SELECT count(*) FROM auth_login_throttle"), "every auth_* table is the auth server's");
            assertEquals(0, count(c, "SELECT count(*) FROM users"));
        }
    }

    @Test
    void agentFirstThenAuthTableThenAgentAgain(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "agentfirst");
        try (AgentHarness agent = SchemaTestSupport.boot(pg, db, NO_ENV)) {
            assertTrue(agent.server().port() > 0);
        }
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            SchemaTestSupport.createAuthTable(c);
        }
        try (AgentHarness agent = SchemaTestSupport.boot(pg, db, NO_ENV)) {
            assertTrue(agent.server().port() > 0);
        }
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            assertEquals(SchemaTestSupport.versions(1), SchemaTestSupport.history(c));
            assertEquals(1, count(c, "SELECT count(*) FROM auth_server_users"));
        }
    }

    @Test
    void twoAgentsBootingAtOnceOnAnEmptyDatabaseBothComeUpAndMigrateOnce(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "race");
        CountDownLatch go = new CountDownLatch(1);
        List<AgentHarness> agents = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            List<Future<AgentHarness>> boots = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Callable<AgentHarness> boot = () -> {
                    go.await();
                    return SchemaTestSupport.boot(pg, db, NO_ENV);
                };
                boots.add(pool.submit(boot));
            }
            go.countDown();
            for (Future<AgentHarness> f : boots) {
                agents.add(f.get());
            }
        } finally {
            agents.forEach(AgentHarness::close);
        }
        assertEquals(3, agents.size());
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            assertEquals(SchemaTestSupport.versions(1), SchemaTestSupport.history(c));
        }
    }

    @Test
    void aPoolOfOneConnectionIsEnoughToMigrate(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "poolone");
        try (AgentHarness agent = SchemaTestSupport.boot(pg, db, Map.of("DB_POOL_SIZE", "1", "DB_MAX_OVERFLOW", "0",
                "DB_POOL_TIMEOUT", "5"))) {
            assertEquals(1, agent.server().dataSource().getMaximumPoolSize());
        }
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            assertEquals(SchemaTestSupport.versions(1), SchemaTestSupport.history(c));
        }
    }

    @Test
    void aFailingMigrationRollsBackReleasesTheLockAndCanBeRetried(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "failing");
        SchemaTestSupport.buildAt(pg, db, 7);
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC"); Statement s = c.createStatement()) {
            HistoricalData.load(c, 7);
            s.execute("CREATE TABLE tickets (something text)"); // V8 cannot create its table
        }
        try (com.zaxxer.hikari.HikariDataSource ds = SchemaTestSupport.pool(pg, db, "UTC")) {
            assertThrows(org.flywaydb.core.api.FlywayException.class, () -> new Migrations(ds, true).migrate());
            try (Connection other = SchemaTestSupport.connect(pg, db, "UTC")) {
                assertEquals(0, count(other, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 8675309"),
                        "nobody holds the migration lock");
                assertEquals(1, count(other, "SELECT CASE WHEN pg_try_advisory_lock(8675309) THEN 1 ELSE 0 END"),
                        "another session can take it");
                assertEquals(SchemaTestSupport.versions(1).subList(0, 7), SchemaTestSupport.history(other));
                try (Statement s = other.createStatement()) {
                    s.execute("SELECT pg_advisory_unlock(8675309)");
                    s.execute("DROP TABLE tickets");
                }
            }
            assertEquals(6, new Migrations(ds, true).migrate());
            try (Connection c = ds.getConnection()) {
                HistoricalData.verifyAtHead(c, 7);
            }
        }
    }

    @Test
    void rebootIsANoOp(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "reboot");
        SchemaTestSupport.boot(pg, db, NO_ENV).close();
        List<String> before;
        long checksum;
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            before = SchemaTestSupport.history(c);
            checksum = count(c, "SELECT count(*) + sum(coalesce(checksum, 0)) FROM flyway_schema_history");
        }
        SchemaTestSupport.boot(pg, db, NO_ENV).close();
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            assertEquals(before, SchemaTestSupport.history(c));
            assertEquals(checksum, count(c, "SELECT count(*) + sum(coalesce(checksum, 0)) FROM flyway_schema_history"));
        }
    }

    @Test
    void migrationsOffRefusesABehindSchemaAndSaysWhatToRun(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "off");
        SchemaTestSupport.buildAt(pg, db, 9);
        Map<String, String> off = Map.of("DB_MIGRATE_ON_BOOT", "false");
        SchemaBehindException e = assertThrows(SchemaBehindException.class, () -> SchemaTestSupport.boot(pg, db, off));
        assertTrue(e.getMessage().contains("V9"), e.getMessage());
        assertTrue(e.getMessage().contains("V10 user profile fields"), e.getMessage());
        assertTrue(e.getMessage().contains("V11 slim tickets"), e.getMessage());
        assertTrue(e.getMessage().contains("java -jar agent.jar migrate"), e.getMessage());
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            assertEquals(SchemaTestSupport.versions(1).subList(0, 9), SchemaTestSupport.history(c), "nothing was applied");
        }

        String empty = SchemaTestSupport.newDatabase(pg, "offempty");
        SchemaBehindException none = assertThrows(SchemaBehindException.class, () -> SchemaTestSupport.boot(pg, empty, off));
        assertTrue(none.getMessage().contains("no Flyway history"), none.getMessage());

        // the operator migrates, then the agent serves with migrations still off
        Output out = new Output();
        assertEquals(0, SchemaCommand.run("migrate", new String[0], settings(pg, db), out.stream, out.stream), out.text());
        assertTrue(out.text().contains("applied 4 migration(s)"), out.text());
        try (AgentHarness agent = SchemaTestSupport.boot(pg, db, off)) {
            assertTrue(agent.server().port() > 0);
        }
        assertThrows(IllegalArgumentException.class, () -> SchemaTestSupport.boot(pg, db, Map.of("DB_MIGRATE_ON_BOOT", "maybe")));
    }

    @Test
    void infoReportsCurrentAndPendingLikeAlembicCurrent(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "info");
        SchemaTestSupport.buildAt(pg, db, 8);
        Output out = new Output();
        assertEquals(0, SchemaCommand.run("info", new String[0], settings(pg, db), out.stream, out.stream), out.text());
        assertEquals("current: V8\nhead:    V13\npending:\n  V9 runs table\n  V10 user profile fields\n  V11 slim tickets\n  V12 child fks cascade\n  V13 child hash indexes\n", out.text());

        String alembic = SchemaTestSupport.newDatabase(pg, "infoalembic");
        SchemaTestSupport.buildAt(pg, alembic, 7);
        try (Connection c = SchemaTestSupport.connect(pg, alembic, "UTC")) {
            SchemaTestSupport.stampAlembic(c, "0007_lift_timestamps_to_tz");
        }
        Output second = new Output();
        assertEquals(0, SchemaCommand.run("info", new String[0], settings(pg, alembic), second.stream, second.stream));
        assertTrue(second.text().contains("current: (no Flyway history)"), second.text());
        assertTrue(second.text().contains("Alembic revision 0007_lift_timestamps_to_tz: migrate baselines at V7"), second.text());
        assertTrue(second.text().contains("V8 tickets table"), second.text());
        assertTrue(!second.text().contains("V7 "), second.text());
    }

    @Test
    void agentTablesWithoutAnyHistoryAreRefusedUntilTheOperatorBaselines(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "nohistory");
        SchemaTestSupport.buildAt(pg, db, 1);
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            HistoricalData.load(c, 1);
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE flyway_schema_history");
            }
        }
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> SchemaTestSupport.boot(pg, db, NO_ENV));
        assertTrue(refused.getMessage().contains("baseline 1"), refused.getMessage());

        Output usage = new Output();
        assertEquals(2, SchemaCommand.run("baseline", new String[] {"one"}, settings(pg, db), usage.stream, usage.stream));
        Output out = new Output();
        assertEquals(0, SchemaCommand.run("baseline", new String[] {"1"}, settings(pg, db), out.stream, out.stream), out.text());
        Output again = new Output();
        assertEquals(1, SchemaCommand.run("baseline", new String[] {"1"}, settings(pg, db), again.stream, again.stream));
        assertTrue(again.text().contains("already has Flyway history"), again.text());

        try (AgentHarness agent = SchemaTestSupport.boot(pg, db, BACKED_UP)) {
            assertTrue(agent.server().port() > 0);
        }
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            List<String> expected = new ArrayList<>(List.of("baseline 1"));
            expected.addAll(SchemaTestSupport.versions(2));
            assertEquals(expected, SchemaTestSupport.history(c));
            HistoricalData.verifyAtHead(c, 1);
        }
    }

    @Test
    void alembicRevisionNumbers() {
        assertEquals(1, Migrations.alembicVersion("0001_baseline"));
        assertEquals(10, Migrations.alembicVersion("0010_user_profile_fields"));
        assertThrows(IllegalStateException.class, () -> Migrations.alembicVersion("0011_next"));
        assertThrows(IllegalStateException.class, () -> Migrations.alembicVersion("abc123def"));
    }

    private static Settings settings(EmbeddedPg pg, String db) {
        return Settings.load(Map.of("DATABASE_URL", pg.databaseUrl(db), "DB_POOL_SIZE", "2", "DB_MAX_OVERFLOW", "2"),
                "application.yaml");
    }

    private static final class Output {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
