package io.dataland.agent.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.EmbeddedPostgresExtension;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The boot's fast path past Flyway ({@link HistoryCheck}): it answers true only where Flyway's migrate
 * would do nothing, and its checksums are Flyway's.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class HistoryCheckTest {

    @Test
    void theScriptsAndChecksumsAreFlywaysOwn(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "checksums");
        try (HikariDataSource ds = SchemaTestSupport.pool(pg, db, "UTC")) {
            Map<Integer, Integer> flyway = Arrays.stream(Migrations.flyway(ds).load().info().all())
                    .filter(MigrationInfo::isVersioned)
                    .collect(Collectors.toMap(m -> Integer.parseInt(m.getVersion().getVersion()), MigrationInfo::getChecksum));
            Map<Integer, Integer> ours = HistoryCheck.scripts().stream()
                    .collect(Collectors.toMap(HistoryCheck.Script::version, HistoryCheck.Script::checksum));
            assertEquals(13, ours.size());
            assertEquals(flyway, ours);
        }
    }

    @Test
    void trueOnlyWhenTheHistoryRecordsEveryScriptUnchanged(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "fastpath");
        try (HikariDataSource ds = SchemaTestSupport.pool(pg, db, "UTC")) {
            try (Connection c = ds.getConnection()) {
                assertFalse(HistoryCheck.atHead(c), "no history table");
            }
            SchemaTestSupport.buildAt(pg, db, 10);
            try (Connection c = ds.getConnection()) {
                assertFalse(HistoryCheck.atHead(c), "V11, V12 and V13 pending");
            }
            new Migrations(ds).migrate();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                assertTrue(HistoryCheck.atHead(c), "at head");
                s.execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '3'");
                assertFalse(HistoryCheck.atHead(c), "a script changed after it was applied: Flyway's validate decides");
                s.execute("UPDATE flyway_schema_history SET checksum = checksum - 1 WHERE version = '3'");
                s.execute("UPDATE flyway_schema_history SET success = false WHERE version = '13'");
                assertFalse(HistoryCheck.atHead(c), "a failed migration");
                s.execute("UPDATE flyway_schema_history SET success = true WHERE version = '13'");
                s.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                        + " installed_by, execution_time, success) VALUES (99, '14', 'future', 'SQL', 'V14__future.sql', 1,"
                        + " current_user, 0, true)");
                assertFalse(HistoryCheck.atHead(c), "a version this build does not have");
                s.execute("DELETE FROM flyway_schema_history WHERE version = '14'");
                assertTrue(HistoryCheck.atHead(c));
            }
        }
    }

    @Test
    void aBaselineCoversTheScriptsBelowIt() {
        List<HistoryCheck.Script> scripts = HistoryCheck.scripts();
        List<HistoryCheck.Row> history = new ArrayList<>(List.of(new HistoryCheck.Row("7", "BASELINE", null, true)));
        scripts.stream().filter(s -> s.version() > 7)
                .forEach(s -> history.add(new HistoryCheck.Row(Integer.toString(s.version()), "SQL", s.checksum(), true)));
        assertTrue(HistoryCheck.matches(history, scripts));
        assertFalse(HistoryCheck.matches(history.subList(0, history.size() - 1), scripts), "the head is missing");
        List<HistoryCheck.Row> repaired = new ArrayList<>(history);
        repaired.add(new HistoryCheck.Row(null, "DELETE", null, true));
        assertFalse(HistoryCheck.matches(repaired, scripts), "rows Flyway's repair wrote: Flyway decides");
        assertFalse(HistoryCheck.matches(null, scripts), "no history table");
        assertFalse(HistoryCheck.matches(history, List.of()), "no scripts on the class path");
    }
}
