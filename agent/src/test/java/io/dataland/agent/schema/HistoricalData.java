package io.dataland.agent.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Realistic rows for the agent schema as it stood at each version V1..V10 (naive timestamps before V6/V7,
 * active and inactive ticket mappings, the {@code event} column before V5, rows that break V2/V3/V4's new
 * constraints where those are not yet in place), and the exact rows expected once the database reaches
 * head.
 *
 * <p>Naive timestamps are written by a session whose TimeZone is not UTC, so the checks prove V6/V7 read
 * them as UTC whatever the session says.
 */
final class HistoricalData {

    private HistoricalData() {
    }

    /** A timestamp literal for a column: naive before the version that lifts it, UTC-qualified after. */
    private static String ts(String utc, boolean lifted) {
        return utc == null ? "NULL" : "'" + utc + (lifted ? "+00" : "") + "'";
    }

    /** Inserts the rows that fit the schema at {@code version}. */
    static void load(Connection c, int version) throws SQLException {
        boolean msgTz = version >= 6;
        boolean tz = version >= 7;
        List<String> sql = new ArrayList<>();
        // users
        String profileCols = version >= 10 ? ", full_name, location, profile_photo_url, joined_date, access_permissions, stripe_customer_id" : "";
        sql.add("INSERT INTO users (id, email, created_at" + profileCols + ") VALUES ('u-ada', 'Ada@Example.org', "
                + ts("2024-01-15 09:00:00.123456", tz)
                + (version >= 10 ? ", 'Ada Lovelace', 'London', 'https://img/ada.png', '2023-12-01 00:00:00+00', '[\"museum\",\"staff\"]', 'cus_123'" : "")
                + ")");
        sql.add("INSERT INTO users (id, email, created_at) VALUES ('u-bob', 'bob@example.org', " + ts("2024-02-01 12:30:00", tz) + ")");
        sql.add("INSERT INTO users (id, email, created_at) VALUES ('u-cy', NULL, " + ts("2024-02-10 23:59:59.999999", tz) + ")");
        if (version < 4) {
            // the same address in another case on a later row: V4 leaves it on the oldest row
            sql.add("INSERT INTO users (id, email, created_at) VALUES ('u-dup', 'ADA@example.org', " + ts("2024-03-01 00:00:00", tz) + ")");
        } else {
            sql.add("INSERT INTO users (id, email, created_at) VALUES ('u-dup', NULL, " + ts("2024-03-01 00:00:00", tz) + ")");
        }
        // conversations
        sql.add("INSERT INTO conversations (id, user_id, title, mode, messages_json, created_at, updated_at) VALUES "
                + "('conv-1', 'u-ada', 'Paintings', 'general', '[{\"role\":\"user\",\"text\":\"Hi\"}]', "
                + ts("2024-01-15 09:01:00", tz) + ", " + ts("2024-01-15 09:05:00.5", tz) + "), "
                + "('TICKET-1', 'u-ada', NULL, 'museum', NULL, " + ts("2024-01-20 10:00:01", tz) + ", " + ts("2024-01-20 10:10:00", tz) + "), "
                + "('conv-3', 'u-bob', NULL, NULL, NULL, " + ts("2024-02-01 12:30:10", tz) + ", " + ts("2024-02-01 12:31:00", tz) + ")");
        // messages (event only before V5)
        String eventCol = version < 5 ? ", event" : "";
        String event = version < 5 ? ", 'stream_end'" : "";
        String noEvent = version < 5 ? ", NULL" : "";
        String cols = "(id, conversation_id, seq, run_id, role, tool, tool_call_id, text, feedback, created_at" + eventCol + ")";
        sql.add("INSERT INTO messages " + cols + " VALUES "
                + "('m1', 'conv-1', 1, 'run-1', 'user', NULL, NULL, 'Hi', NULL, " + ts("2024-01-15 09:01:00.5", msgTz) + noEvent + "), "
                + "('m2', 'conv-1', 2, 'run-1', 'assistant', NULL, NULL, 'Hello! ''Starry Night''', 'like', " + ts("2024-01-15 09:01:02", msgTz) + event + "), "
                + "('m3', 'conv-1', 3, 'run-1', 'tool', 'search_artwork_images', 'call-1', '{\"hits\":2}', NULL, " + ts("2024-01-15 09:01:01", msgTz) + noEvent + "), "
                + "('m6', 'TICKET-1', 1, NULL, 'user', NULL, NULL, 'Where is the cafe?', NULL, NULL" + noEvent + ")");
        if (version < 3) {
            // a repeated seq before V3's constraint: V3 renumbers the conversation by (seq, created_at, id)
            sql.add("INSERT INTO messages " + cols + " VALUES "
                    + "('m4', 'conv-3', 1, NULL, 'user', NULL, NULL, 'second', NULL, " + ts("2024-02-01 12:31:00", msgTz) + noEvent + "), "
                    + "('m5', 'conv-3', 1, NULL, 'user', NULL, NULL, 'first', NULL, " + ts("2024-02-01 12:30:30", msgTz) + noEvent + ")");
        } else {
            sql.add("INSERT INTO messages " + cols + " VALUES "
                    + "('m4', 'conv-3', 2, NULL, 'user', NULL, NULL, 'second', NULL, " + ts("2024-02-01 12:31:00", msgTz) + noEvent + "), "
                    + "('m5', 'conv-3', 1, NULL, 'user', NULL, NULL, 'first', NULL, " + ts("2024-02-01 12:30:30", msgTz) + noEvent + ")");
        }
        // children of m2 (type left to its default on one row of each)
        sql.add("INSERT INTO message_images (message_id, title, artist, image_path, score) VALUES ('m2', 'Starry Night', 'Vincent van Gogh', '/img/1.jpg', 0.93)");
        sql.add("INSERT INTO message_images (message_id, title, artist, image_path, score, type) VALUES ('m2', 'Irises', 'Vincent van Gogh', '/img/2.jpg', 0.5, 'photo')");
        sql.add("INSERT INTO message_sources (message_id, title, uri, confidence) VALUES ('m2', 'Catalogue', 'https://museum/cat', 0.7)");
        sql.add("INSERT INTO message_suggestions (message_id, text, sequence) VALUES ('m2', 'Tell me more', 0), ('m2', 'Who else?', 1)");
        // ticket mappings: active, inactive, and (before V2) two active rows for one ticket
        sql.add("INSERT INTO user_ticket_mappings (user_id, ticket_id, active, created_at) VALUES "
                + "('u-ada', 'TICKET-1', true, " + ts("2024-01-20 10:00:00", tz) + "), "
                + "('u-bob', 'TICKET-2', false, " + ts("2024-01-25 10:00:00", tz) + "), "
                + "('u-bob', 'TICKET-3', true, " + ts("2024-02-02 08:00:00", tz) + "), "
                + "('u-ada', 'TICKET-4', " + (version < 2) + ", " + ts("2024-03-01 00:00:00", tz) + "), "
                + "('u-bob', 'TICKET-4', true, " + ts("2024-03-05 00:00:00", tz) + ")");
        if (version >= 8) {
            // tickets written by the app after V8; TICKET-4's active mapping has no row yet (V11 copies it)
            sql.add("INSERT INTO tickets (id, user_id, external_id, first_seen, last_seen, visit_count) VALUES "
                    + "('TICKET-1', 'u-ada', 'EXT-1', '2024-01-20 10:00:00+00', '2024-06-01 00:00:00+00', 3), "
                    + "('TICKET-3', 'u-bob', NULL, '2024-02-02 08:00:00+00', NULL, 1), "
                    + "('TICKET-5', 'u-cy', 'EXT-5', '2024-04-01 00:00:00+00', NULL, 1)");
        }
        if (version >= 9) {
            sql.add("INSERT INTO runs (id, conversation_id, user_id, started_at, finished_at, model, prompt_tokens, completion_tokens, cost_usd, status, error) VALUES "
                    + "('run-1', 'conv-1', 'u-ada', '2024-01-15 09:01:00+00', '2024-01-15 09:01:02.25+00', 'gemini-3.5-flash', 100, 20, 0.0005, 'success', NULL), "
                    + "('run-2', 'conv-3', 'u-bob', '2024-02-01 12:31:00+00', NULL, NULL, NULL, NULL, NULL, 'error', 'model timed out')");
        }
        try (Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    private static Instant at(String utc) {
        return utc == null ? null : Instant.parse(utc.replace(' ', 'T') + "Z");
    }

    private static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    /** Checks every row of every agent table at head against what {@link #load} wrote at {@code version}. */
    static void verifyAtHead(Connection c, int version) throws SQLException {
        boolean profile = version >= 10;
        assertEquals(List.of(
                        row("u-ada", "Ada@Example.org", at("2024-01-15 09:00:00.123456"),
                                profile ? "Ada Lovelace" : null, profile ? "London" : null, profile ? "https://img/ada.png" : null,
                                profile ? at("2023-12-01 00:00:00") : null, profile ? "[\"museum\",\"staff\"]" : null,
                                profile ? "cus_123" : null),
                        row("u-bob", "bob@example.org", at("2024-02-01 12:30:00"), null, null, null, null, null, null),
                        row("u-cy", null, at("2024-02-10 23:59:59.999999"), null, null, null, null, null, null),
                        row("u-dup", null, at("2024-03-01 00:00:00"), null, null, null, null, null, null)),
                rows(c, "SELECT id, email, created_at, full_name, location, profile_photo_url, joined_date,"
                        + " access_permissions, stripe_customer_id FROM users ORDER BY id"), "users");
        assertEquals(List.of(
                        row("TICKET-1", "u-ada", null, "museum", null, at("2024-01-20 10:00:01"), at("2024-01-20 10:10:00")),
                        row("conv-1", "u-ada", "Paintings", "general", "[{\"role\":\"user\",\"text\":\"Hi\"}]",
                                at("2024-01-15 09:01:00"), at("2024-01-15 09:05:00.5")),
                        row("conv-3", "u-bob", null, null, null, at("2024-02-01 12:30:10"), at("2024-02-01 12:31:00"))),
                rows(c, "SELECT id, user_id, title, mode, messages_json, created_at, updated_at FROM conversations ORDER BY id"),
                "conversations");
        assertEquals(List.of(
                        row("m1", "conv-1", 1, "run-1", "user", null, null, "Hi", null, at("2024-01-15 09:01:00.5")),
                        row("m2", "conv-1", 2, "run-1", "assistant", null, null, "Hello! 'Starry Night'", "like", at("2024-01-15 09:01:02")),
                        row("m3", "conv-1", 3, "run-1", "tool", "search_artwork_images", "call-1", "{\"hits\":2}", null, at("2024-01-15 09:01:01")),
                        row("m4", "conv-3", 2, null, "user", null, null, "second", null, at("2024-02-01 12:31:00")),
                        row("m5", "conv-3", 1, null, "user", null, null, "first", null, at("2024-02-01 12:30:30")),
                        row("m6", "TICKET-1", 1, null, "user", null, null, "Where is the cafe?", null, null)),
                rows(c, "SELECT id, conversation_id, seq, run_id, role, tool, tool_call_id, text, feedback, created_at"
                        + " FROM messages ORDER BY id"), "messages");
        assertEquals(List.of(
                        row("m2", "Starry Night", "Vincent van Gogh", "/img/1.jpg", 0.93, "artwork"),
                        row("m2", "Irises", "Vincent van Gogh", "/img/2.jpg", 0.5, "photo")),
                rows(c, "SELECT message_id, title, artist, image_path, score, type FROM message_images ORDER BY id"), "images");
        assertEquals(List.of(row("m2", "Catalogue", "https://museum/cat", 0.7, "document")),
                rows(c, "SELECT message_id, title, uri, confidence, type FROM message_sources ORDER BY id"), "sources");
        assertEquals(List.of(row("m2", "Tell me more", 0), row("m2", "Who else?", 1)),
                rows(c, "SELECT message_id, text, sequence FROM message_suggestions ORDER BY id"), "suggestions");
        List<List<Object>> tickets = new ArrayList<>(List.of(
                row("TICKET-1", "u-ada", at("2024-01-20 10:00:00")),
                row("TICKET-3", "u-bob", at("2024-02-02 08:00:00")),
                row("TICKET-4", "u-bob", at("2024-03-05 00:00:00"))));
        if (version >= 8) {
            tickets.add(row("TICKET-5", "u-cy", at("2024-04-01 00:00:00")));
        }
        assertEquals(tickets, rows(c, "SELECT * FROM tickets ORDER BY id"), "tickets (exactly id, user_id, first_seen)");
        assertEquals(version >= 9 ? List.of(
                        row("run-1", "conv-1", "u-ada", at("2024-01-15 09:01:00"), at("2024-01-15 09:01:02.25"),
                                "gemini-3.5-flash", 100, 20, 0.0005, "success", null),
                        row("run-2", "conv-3", "u-bob", at("2024-02-01 12:31:00"), null, null, null, null, null, "error", "model timed out"))
                        : List.of(),
                rows(c, "SELECT id, conversation_id, user_id, started_at, finished_at, model, prompt_tokens,"
                        + " completion_tokens, cost_usd, status, error FROM runs ORDER BY id"), "runs");
        assertEquals(List.of(row((Object) null)), rows(c, "SELECT to_regclass('user_ticket_mappings')::text"), "mappings dropped");
    }

    /** All rows of {@code sql}, timestamps as {@link Instant}s. */
    static List<List<Object>> rows(Connection c, String sql) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    int type = md.getColumnType(i);
                    Object value;
                    if (type == Types.TIMESTAMP_WITH_TIMEZONE || type == Types.TIMESTAMP) {
                        if (!md.getColumnTypeName(i).equals("timestamptz")) {
                            throw new AssertionError(md.getColumnName(i) + " is " + md.getColumnTypeName(i) + ", not timestamptz");
                        }
                        OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
                        value = t == null ? null : t.toInstant();
                    } else {
                        value = rs.getObject(i);
                    }
                    row.add(value);
                }
                out.add(row);
            }
        }
        return out;
    }
}
