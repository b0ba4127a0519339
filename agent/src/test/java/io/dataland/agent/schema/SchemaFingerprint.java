package io.dataland.agent.schema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The agent schema's shape (columns, constraints, indexes) as text, to compare two databases. */
final class SchemaFingerprint {

    private SchemaFingerprint() {
    }

    static List<String> of(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        query(c, out, """
                SELECT table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable
                       || ' default=' || coalesce(column_default, '-')
                  FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name NOT IN ('flyway_schema_history', 'alembic_version', 'auth_server_users')
                 ORDER BY table_name, column_name""");
        query(c, out, """
                SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
                  FROM pg_constraint
                 WHERE connamespace = current_schema()::regnamespace
                   AND conrelid::regclass::text NOT IN ('flyway_schema_history', 'alembic_version', 'auth_server_users')
                 ORDER BY 1""");
        query(c, out, """
                SELECT indexdef FROM pg_indexes
                 WHERE schemaname = current_schema() AND tablename NOT IN ('flyway_schema_history', 'alembic_version', 'auth_server_users')
                 ORDER BY indexname""");
        return out;
    }

    private static void query(Connection c, List<String> out, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
    }
}
