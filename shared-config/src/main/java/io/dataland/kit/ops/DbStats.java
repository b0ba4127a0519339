package io.dataland.kit.ops;

import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.DatabaseSettings;
import io.dataland.kit.config.DatabaseUrl;
import io.dataland.kit.config.Settings;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code db-stats [--limit N]}: the seed's "top tables by live row count" operator query, printed as a
 * table. Reads {@code pg_stat_user_tables} through the service's own connection string
 * ({@code DATABASE_URL} for the agent, {@code AUTH_DATABASE_URL} then {@code DATABASE_URL} for auth).
 * Live row counts are the statistics system's estimates ({@code n_live_tup}), not {@code COUNT(*)}.
 *
 * <p>Exit codes: 0 printed; 1 the database could not be read (the message names the host, never the
 * password); 2 usage.
 */
public final class DbStats {

    /** The default number of tables printed, as in the seed's query. */
    public static final int DEFAULT_LIMIT = 10;

    private static final String QUERY = load("db-stats.sql");

    /** One table's line. */
    public record TableStats(String schema, String table, long liveRows, long deadRows,
                             OffsetDateTime lastAutovacuum, OffsetDateTime lastAutoanalyze) {
    }

    private DbStats() {
    }

    /** The top {@code limit} tables by live row count. */
    public static List<TableStats> top(Connection connection, int limit) throws SQLException {
        List<TableStats> rows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(QUERY)) {
            statement.setInt(1, limit);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(new TableStats(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                            rs.getObject(5, OffsetDateTime.class), rs.getObject(6, OffsetDateTime.class)));
                }
            }
        }
        return rows;
    }

    /** Prints {@code rows} as an aligned table. */
    public static void print(List<TableStats> rows, PrintStream out) {
        int width = Math.max("table".length(), rows.stream()
                .mapToInt(r -> qualified(r).length()).max().orElse(0));
        out.println("top tables by live row count (pg_stat_user_tables.n_live_tup: estimates, not COUNT(*))");
        out.printf("%-" + width + "s  %12s  %12s  %s%n", "table", "live rows", "dead rows", "last autovacuum");
        for (TableStats r : rows) {
            out.printf("%-" + width + "s  %12d  %12d  %s%n", qualified(r), r.liveRows(), r.deadRows(),
                    r.lastAutovacuum() == null ? "never" : r.lastAutovacuum().toString());
        }
        if (rows.isEmpty()) {
            out.println("(no user tables)");
        }
    }

    private static String qualified(TableStats r) {
        return "public".equals(r.schema()) ? r.table() : r.schema() + "." + r.table();
    }

    /**
     * Runs the command for {@code service} with {@code settings}; {@code args} are what follows
     * {@code db-stats}. Returns the exit code.
     */
    public static int run(String[] args, Settings settings, CredentialGuard.Service service,
                          PrintStream out, PrintStream err) {
        int limit = DEFAULT_LIMIT;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--limit") && i + 1 < args.length && args[i + 1].matches("\\d{1,4}")
                    && Integer.parseInt(args[i + 1]) >= 1) {
                limit = Integer.parseInt(args[++i]);
            } else {
                err.println("usage: db-stats [--limit N]   (N from 1 to 9999, default " + DEFAULT_LIMIT + ")");
                return 2;
            }
        }
        DatabaseSettings.Source source = service == CredentialGuard.Service.AGENT
                ? DatabaseSettings.agent(settings) : DatabaseSettings.auth(settings);
        DatabaseUrl url;
        try {
            url = source.parse();
        } catch (IllegalArgumentException e) {
            err.println("db-stats: " + e.getMessage());
            return 2;
        }
        try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
            print(top(connection, limit), out);
            return 0;
        } catch (SQLException e) {
            err.println("db-stats: cannot read " + url.redacted() + ": " + e.getSQLState() + " "
                    + e.getClass().getSimpleName());
            return 1;
        }
    }

    private static String load(String resource) {
        try (InputStream in = DbStats.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
