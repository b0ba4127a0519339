package io.dataland.agent.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

import io.dataland.agent.testing.AgentHarness;
import io.dataland.kit.config.Settings;
import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.EmbeddedPostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The V11 guard where Flyway is driven ({@link Migrations#migrate()}), through {@code agent.jar migrate}
 * and the migration on boot: a database whose tickets columns and {@code user_ticket_mappings} hold rows
 * is refused with nothing changed (schema, rows, no Flyway history created) until the operator says
 * there is a backup ({@code --i-have-a-backup} or {@code DB_MIGRATE_ALLOW_DESTRUCTIVE=true}); a fresh
 * database, or one where V11 would drop nothing, migrates without being told.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class DestructiveMigrationTest {

    /** An Alembic-era database at 0010 as the Python stack leaves it, rows in every table (mappings too). */
    private static String alembicEraWithRows(EmbeddedPg pg, String label) throws SQLException {
        String db = SchemaTestSupport.newDatabase(pg, label);
        SchemaTestSupport.buildAt(pg, db, 10);
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            HistoricalData.load(c, 10);
            SchemaTestSupport.stampAlembic(c, "0010_user_profile_fields");
        }
        return db;
    }

    /** Every table of the schema with every row, and the schema's shape: what "nothing changed" compares. */
    private static List<String> everything(EmbeddedPg pg, String db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            List<String> tables = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            out.add("tables " + tables);
            for (String table : tables) {
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT string_agg(t::text, ' | ' ORDER BY t::text) FROM " + table + " t")) {
                    rs.next();
                    out.add(table + ": " + rs.getString(1));
                }
            }
            out.addAll(SchemaFingerprint.of(c));
        }
        return out;
    }

    private static Settings settings(EmbeddedPg pg, String db, Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(Map.of("DATABASE_URL", pg.databaseUrl(db), "DB_POOL_SIZE", "2", "DB_MAX_OVERFLOW", "2"));
        all.putAll(env);
        return Settings.load(all, "application.yaml");
    }

    private record Run(int exit, String output) {
    }

    private static Run migrate(EmbeddedPg pg, String db, Map<String, String> env, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit = SchemaCommand.run("migrate", args, settings(pg, db, env), stream, stream);
        return new Run(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    private static void assertNamesLossesBackupAndOverride(String message) {
        assertTrue(message.contains("V11 (slim tickets) would drop data: user_ticket_mappings (5 rows);"
                + " tickets.external_id, tickets.last_seen, tickets.visit_count (3 rows). Nothing was changed."), message);
        assertTrue(message.contains("backup.sh --container"), message);
        assertTrue(message.contains("java -jar agent.jar migrate --i-have-a-backup"), message);
        assertTrue(message.contains("DB_MIGRATE_ALLOW_DESTRUCTIVE=true"), message);
    }

    @Test
    void migrateRefusesAnAlembicEraDatabaseWithDataAndChangesNothingUntilToldThereIsABackup(EmbeddedPg pg) throws Exception {
        String db = alembicEraWithRows(pg, "guardcmd");
        List<String> before = everything(pg, db);

        Run refused = migrate(pg, db, Map.of());
        assertEquals(1, refused.exit(), refused.output());
        assertNamesLossesBackupAndOverride(refused.output());
        assertEquals(before, everything(pg, db), "schema and rows unchanged, no Flyway history created");
        assertFalse(before.getFirst().contains("flyway_schema_history"), before.getFirst());

        assertEquals(2, migrate(pg, db, Map.of(), "--yes").exit(), "an unknown flag is a usage error");
        assertEquals(before, everything(pg, db));

        Run told = migrate(pg, db, Map.of(), "--i-have-a-backup");
        assertEquals(0, told.exit(), told.output());
        assertTrue(told.output().contains("applied 3 migration(s)"), told.output());
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            assertEquals(List.of("baseline 10", "11", "12", "13"), SchemaTestSupport.history(c));
            HistoricalData.verifyAtHead(c, 10);
        }
    }

    @Test
    void theMigrationOnBootRefusesTooAndTheVariableAllowsIt(EmbeddedPg pg) throws Exception {
        String db = alembicEraWithRows(pg, "guardboot");
        List<String> before = everything(pg, db);
        DestructiveMigrationException refused = assertThrows(DestructiveMigrationException.class,
                () -> SchemaTestSupport.boot(pg, db, Map.of()));
        assertNamesLossesBackupAndOverride(refused.getMessage());
        assertEquals(before, everything(pg, db));
        assertThrows(IllegalArgumentException.class,
                () -> SchemaTestSupport.boot(pg, db, Map.of("DB_MIGRATE_ALLOW_DESTRUCTIVE", "perhaps")));
        assertEquals(before, everything(pg, db));

        // the variable serves the command as well as the boot
        String other = alembicEraWithRows(pg, "guardvar");
        Run byVariable = migrate(pg, other, Map.of("DB_MIGRATE_ALLOW_DESTRUCTIVE", "true"));
        assertEquals(0, byVariable.exit(), byVariable.output());

        try (AgentHarness agent = SchemaTestSupport.boot(pg, db, Map.of("DB_MIGRATE_ALLOW_DESTRUCTIVE", "true"))) {
            assertEquals(200, agent.get("/v1/conversations/conv-1", agent.token("u-ada")).status());
        }
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC")) {
            assertEquals(List.of("baseline 10", "11", "12", "13"), SchemaTestSupport.history(c));
            HistoricalData.verifyAtHead(c, 10);
        }
    }

    @Test
    void aFlywayDatabaseBeforeV11WithTicketRowsIsRefusedToo(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "guardflyway");
        SchemaTestSupport.buildAt(pg, db, 9);
        try (Connection c = SchemaTestSupport.connect(pg, db, "UTC"); Statement s = c.createStatement()) {
            s.execute("INSERT INTO users (id) VALUES ('u-1')");
            s.execute("INSERT INTO tickets (id, user_id) VALUES ('TICKET-9', 'u-1')");
        }
        List<String> before = everything(pg, db);
        Run refused = migrate(pg, db, Map.of());
        assertEquals(1, refused.exit(), refused.output());
        assertTrue(refused.output().contains("would drop data: tickets.external_id, tickets.last_seen, tickets.visit_count (1 rows)"),
                refused.output());
        assertEquals(before, everything(pg, db));
        assertEquals(0, migrate(pg, db, Map.of(), "--i-have-a-backup").exit());
    }

    @Test
    void whereV11WouldDropNothingNoOverrideIsNeeded(EmbeddedPg pg) throws Exception {
        // a fresh database: the boot builds V1..V13 on its own (tests and dev boots are unaffected)
        String fresh = SchemaTestSupport.newDatabase(pg, "guardfresh");
        try (AgentHarness agent = SchemaTestSupport.boot(pg, fresh, Map.of())) {
            assertTrue(agent.server().port() > 0);
        }
        try (Connection c = SchemaTestSupport.connect(pg, fresh, "UTC")) {
            assertEquals(SchemaTestSupport.versions(1), SchemaTestSupport.history(c));
        }
        String freshByCommand = SchemaTestSupport.newDatabase(pg, "guardfreshcmd");
        assertEquals(0, migrate(pg, freshByCommand, Map.of()).exit());

        // an Alembic-era database with conversations and messages, but no ticket or mapping rows
        String noTickets = SchemaTestSupport.newDatabase(pg, "guardnotickets");
        SchemaTestSupport.buildAt(pg, noTickets, 10);
        try (Connection c = SchemaTestSupport.connect(pg, noTickets, "UTC"); Statement s = c.createStatement()) {
            s.execute("INSERT INTO users (id) VALUES ('u-1')");
            s.execute("INSERT INTO conversations (id, user_id) VALUES ('conv-1', 'u-1')");
            s.execute("INSERT INTO messages (id, conversation_id, seq, role, text) VALUES ('m1', 'conv-1', 1, 'user', 'Hi')");
            SchemaTestSupport.stampAlembic(c, "0010_user_profile_fields");
        }
        Run migrated = migrate(pg, noTickets, Map.of());
        assertEquals(0, migrated.exit(), migrated.output());
        assertTrue(migrated.output().contains("applied 3 migration(s)"), migrated.output());
    }
}
