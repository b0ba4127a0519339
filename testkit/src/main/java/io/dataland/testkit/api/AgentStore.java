package io.dataland.testkit.api;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A read-only look at the agent's tables through a superuser connection: single values for assertions
 * and a digest of every agent table for "nothing was written" checks.
 */
public final class AgentStore {

    private static final List<String> TABLES = List.of("users", "tickets", "conversations", "messages", "runs",
            "message_images", "message_sources", "message_suggestions");

    /** Opens a superuser connection to the agent's database. */
    @FunctionalInterface
    public interface Connector {
        Connection connect() throws SQLException;
    }

    private final Connector connector;

    /** A store read through {@code connector}. */
    public AgentStore(Connector connector) {
        this.connector = connector;
    }

    /** The single number {@code sql} selects. */
    public long count(String sql) {
        try (Connection c = connector.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The single text {@code sql} selects, or null without a row. */
    public String text(String sql) {
        try (Connection c = connector.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A digest of every agent table's rows (nothing-changed checks). */
    public String snapshot() {
        StringBuilder all = new StringBuilder();
        for (String table : TABLES) {
            all.append(table).append('=').append(text("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM "
                    + table + " t")).append(' ');
        }
        return all.toString();
    }
}
