package io.dataland.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.agent.AgentServer;
import io.dataland.agent.schema.Migrations;
import io.dataland.kit.db.MyBatis;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.apache.ibatis.mapping.BoundSql;
import org.apache.ibatis.session.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The read and delete paths stay index lookups whatever plan the server caches. pgjdbc prepares a
 * statement on the server after a few executions, and PostgreSQL may then switch to a generic plan, made
 * without the parameter values from the table's averages: on a grown database a join keyed by
 * "messages of one conversation" was planned as a hash join over sequential scans of every child table,
 * so a reload cost grew with the whole database. Here the statements are taken exactly as MyBatis sends
 * them, prepared by name and explained under {@code plan_cache_mode = force_generic_plan} on a database of
 * 100,000 messages (500 conversations of 200) and 250,000 child rows, built with generate_series.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class GenericPlanTest {

    private static HikariDataSource dataSource;
    private static Configuration mybatis;

    @BeforeAll
    static void setUp(TestDatabase db) throws SQLException {
        dataSource = db.newDataSource(1);
        new Migrations(dataSource).migrate();
        mybatis = MyBatis.sessionFactory("plan-test", dataSource, AgentServer.MAPPERS, List.of()).getConfiguration();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.execute("INSERT INTO users (id, created_at) SELECT 'u' || g, now() FROM generate_series(1, 100) g");
            s.execute("""
                    INSERT INTO conversations (id, user_id, title, mode, created_at, updated_at)
                    SELECT 'c' || g, 'u' || (g % 100 + 1), 't', 'chat', now(), now() - g * interval '1 second'
                      FROM generate_series(1, 500) g""");
            s.execute("""
                    INSERT INTO messages (id, conversation_id, seq, role, text, created_at)
                    SELECT 'm' || g, 'c' || ((g - 1) / 200 + 1), (g - 1) % 200 + 1,
                           CASE WHEN g % 2 = 0 THEN 'assistant' ELSE 'user' END, 'text', now()
                      FROM generate_series(1, 100000) g""");
            s.execute("""
                    INSERT INTO message_images (message_id, title, image_path, score)
                    SELECT 'm' || g, 't', '/img.jpg', 0.5 FROM generate_series(1, 100000) g""");
            s.execute("""
                    INSERT INTO message_sources (message_id, title, uri, confidence)
                    SELECT 'm' || g, 't', 'https://example.org', 0.5 FROM generate_series(1, 100000, 2) g""");
            s.execute("""
                    INSERT INTO message_suggestions (message_id, text, sequence)
                    SELECT 'm' || (g / 2 + 1), 's', g % 2 FROM generate_series(0, 99999) g""");
            s.execute("""
                    INSERT INTO runs (id, conversation_id, user_id, started_at)
                    SELECT 'r' || g, 'c' || ((g - 1) / 100 + 1), 'u' || (((g - 1) / 100 + 1) % 100 + 1), now()
                      FROM generate_series(1, 50000) g""");
            s.execute("ANALYZE users, conversations, messages, message_images, message_sources, message_suggestions, runs");
            try (ResultSet rs = s.executeQuery("""
                    SELECT (SELECT count(*) FROM message_images) + (SELECT count(*) FROM message_sources)
                         + (SELECT count(*) FROM message_suggestions)""")) {
                rs.next();
                assertTrue(rs.getLong(1) >= 200_000, "the database is grown");
            }
        }
    }

    @AfterAll
    static void tearDown() {
        dataSource.close();
    }

    @Test
    void reloadStatementsReadNoWholeTable() throws SQLException {
        // three statements sent together: each is explained on its own
        assertEquals(3, assertNoWholeTableScan("ConversationMapper.loadOwned", Map.of("id", "c1", "userId", "u2")));
    }

    @Test
    void listCursorRunFeedbackAndDeleteReadNoWholeTable() throws SQLException {
        Map<String, Object> firstPage = new HashMap<>();
        firstPage.put("userId", "u2");
        firstPage.put("beforeUpdatedAt", null);
        firstPage.put("beforeId", null);
        firstPage.put("limit", 20);
        assertNoWholeTableScan("ConversationMapper.listPage", firstPage);
        Map<String, Object> nextPage = new HashMap<>(firstPage);
        nextPage.put("beforeUpdatedAt", OffsetDateTime.now());
        nextPage.put("beforeId", "c1");
        assertNoWholeTableScan("ConversationMapper.listPage", nextPage);
        assertNoWholeTableScan("MessageMapper.listRecent", Map.of("conversationId", "c1", "limit", 20));
        assertNoWholeTableScan("RunMapper.findOwned", Map.of("id", "r1", "userId", "u2"));
        assertNoWholeTableScan("MessageMapper.updateFeedback", Map.of("id", "m2", "userId", "u2", "feedback", "like"));
        // Children go by ON DELETE CASCADE, whose trigger queries use the message_id indexes.
        assertNoWholeTableScan("MessageMapper.deleteByConversation", Map.of("conversationId", "c1"));
        assertNoWholeTableScan("RunMapper.deleteByConversation", Map.of("conversationId", "c1"));
        assertNoWholeTableScan("ConversationMapper.deleteOwned", Map.of("id", "c1", "userId", "u2"));
    }

    @Test
    void turnWritesReadNoWholeTable() throws SQLException {
        // static SQL: the statement text does not depend on the parameters, only its plan is looked at
        for (String statement : List.of("TicketMapper.register", "TicketMapper.registerEnsuringMuseum",
                "ConversationMapper.ensureMuseum",
                "ConversationMapper.touchOwned", "MessageMapper.insertNextOpeningRun", "MessageMapper.insertNext",
                "RunMapper.closeLockingConversation", "RunMapper.close")) {
            assertNoWholeTableScan(statement, Map.of());
        }
    }

    @Test
    void theCheckSeesAWholeTableScan() throws SQLException {
        // The detector itself: a filter on an unindexed column must be reported ...
        assertEquals(List.of("messages"), wholeTableScans("SELECT id FROM messages WHERE text = $1", 1));
        // ... and so must the shape the children query had before (each child table joined to messages
        // on conversation_id): on this database its generic plan hashes a sequential scan of
        // message_sources (0.5 rows per message); on the database, of every child table.
        assertTrue(wholeTableScans("""
                SELECT s.id FROM message_sources s JOIN messages m ON m.id = s.message_id
                 WHERE m.conversation_id = $1""", 1).contains("message_sources"));
    }

    /** Explains each statement of the mapped statement (several when it sends more than one); returns how many. */
    private static int assertNoWholeTableScan(String statement, Map<String, Object> parameters) throws SQLException {
        BoundSql bound = mybatis.getMappedStatement("io.dataland.agent." + statement.toLowerCase().replaceFirst("mapper\\..*", "")
                + "." + statement).getBoundSql(parameters);
        // none of the mapped statements has a literal ';' or '?': they separate statements and mark parameters
        String[] statements = bound.getSql().split(";");
        for (String one : statements) {
            String sql = numberPlaceholders(one);
            List<String> scans = wholeTableScans(sql, (int) one.chars().filter(ch -> ch == '?').count());
            assertEquals(List.of(), scans, statement + " scans whole tables under a generic plan:\n" + sql);
        }
        return statements.length;
    }

    /** JDBC's "?" placeholders as PREPARE's $1, $2, ... (none of the mapped statements has a literal "?"). */
    private static String numberPlaceholders(String sql) {
        StringBuilder numbered = new StringBuilder();
        int n = 0;
        for (char ch : sql.toCharArray()) {
            if (ch == '?') {
                numbered.append('$').append(++n);
            } else {
                numbered.append(ch);
            }
        }
        return numbered.toString();
    }

    /** The tables the generic plan of {@code sql} reads with a sequential scan. */
    private static List<String> wholeTableScans(String sql, int parameterCount) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.execute("SET plan_cache_mode = force_generic_plan");
            s.execute("DEALLOCATE ALL");
            s.execute("PREPARE explained AS " + sql);
            String args = String.join(", ", java.util.Collections.nCopies(parameterCount, "NULL"));
            String plan;
            try (ResultSet rs = s.executeQuery("EXPLAIN (FORMAT JSON) EXECUTE explained" + (parameterCount > 0 ? "(" + args + ")" : ""))) {
                rs.next();
                plan = rs.getString(1);
            } finally {
                s.execute("DEALLOCATE explained");
                s.execute("RESET plan_cache_mode");
            }
            List<String> tables = new ArrayList<>();
            Matcher m = SEQ_SCAN.matcher(plan);
            while (m.find()) {
                tables.add(m.group(1));
            }
            return tables;
        }
    }

    /** A Seq Scan node and its relation (the JSON plan lists "Relation Name" a few keys after "Node Type"). */
    private static final Pattern SEQ_SCAN = Pattern.compile("\"Node Type\": \"Seq Scan\",[^}]*?\"Relation Name\": \"([^\"]+)\"");
}
