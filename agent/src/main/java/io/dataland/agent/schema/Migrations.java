package io.dataland.agent.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.dataland.kit.db.AdvisoryLocks;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The agent's schema: the Flyway chain {@code db/agent/V1..V11} (module {@code sql}), applied inside
 * {@code pg_advisory_lock(8675309)} so agents booting together migrate once, and the adoption rules for
 * databases Flyway has never seen:
 *
 * <ul>
 *   <li>Flyway history present: migrate from it.</li>
 *   <li>Alembic's {@code alembic_version} present (no Flyway history): baseline at that revision's number
 *       ({@code 0007_lift_timestamps_to_tz} is V7), then migrate. Alembic's table is left in place.</li>
 *   <li>Nothing of the agent's, possibly the auth server's {@code auth_*} tables (which live in the
 *       same schema): an empty database for the agent; the chain runs from V1 (Flyway's baseline, if it
 *       needs one for the foreign table, is version 0, so V1 is never skipped).</li>
 *   <li>Agent tables but neither history nor Alembic stamp: refused, naming the {@code baseline} command.</li>
 * </ul>
 *
 * A destructive migration (V11 drops {@code tickets.external_id}, {@code last_seen}, {@code visit_count}
 * and {@code user_ticket_mappings}) is refused while the data it would drop is there, unless the caller
 * allows it (after a backup): see {@link #migrate()}. An empty or fresh database is not at risk.
 *
 * <p>The operator commands of {@code Main} ({@code migrate}, {@code info}, {@code baseline VERSION}) call
 * {@link #migrate()}, {@link #info()} and {@link #baseline(int)}.
 */
public final class Migrations {

    /** The advisory lock held while migrating (why this key, and why session-level: {@link AdvisoryLocks}). */
    public static final long LOCK_KEY = AdvisoryLocks.AGENT_MIGRATIONS;
    /** Where the migrations are on the class path. */
    public static final String LOCATION = "classpath:db/agent";
    /** Flyway's history table. */
    public static final String HISTORY_TABLE = "flyway_schema_history";
    /** Alembic's stamp table. */
    public static final String ALEMBIC_TABLE = "alembic_version";
    /** The auth server's table, which shares the schema and does not make it non-empty for the agent. */
    public static final String AUTH_TABLE = "auth_server_users";
    /**
     * Every relation of the auth server's starts with this ({@code auth_server_users}, its sequence,
     * {@code auth_login_throttle}); the agent's never do. They do not make the schema "non-empty".
     */
    public static final String AUTH_PREFIX = "auth_";

    private static final Logger LOG = Logger.getLogger(Migrations.class.getName());
    private static final Pattern ALEMBIC_REVISION = Pattern.compile("(\\d{4})_[a-z0-9_]+");

    /** The migration that drops data (V11). */
    static final int DESTRUCTIVE_VERSION = 11;

    private final DataSource dataSource;
    private final boolean allowDestructive;

    /**
     * Migrations over {@code dataSource} that refuse to drop data (see {@link #migrate()}).
     * {@link #migrate()} and {@link #baseline(int)} use a single connection from it (the one holding the
     * advisory lock runs Flyway too), so a pool of one is enough.
     */
    public Migrations(DataSource dataSource) {
        this(dataSource, false);
    }

    /** As {@link #Migrations(DataSource)}; {@code allowDestructive}: there is a backup, V11 may drop data. */
    public Migrations(DataSource dataSource, boolean allowDestructive) {
        this.dataSource = dataSource;
        this.allowDestructive = allowDestructive;
    }

    /** A Flyway configuration for this chain (tests add {@code target} to build old versions). */
    public static FluentConfiguration flyway(DataSource dataSource) {
        return Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations(LOCATION)
                .table(HISTORY_TABLE)
                .validateMigrationNaming(true)
                .placeholderReplacement(false)
                .cleanDisabled(true)
                .loggers("org.flywaydb.core.internal.logging.javautil.JavaUtilLogCreator");
    }

    /**
     * Adopts the database if needed (see the class comment) and applies every pending migration, under
     * the advisory lock. Returns the number of migrations applied (0 when already at head).
     *
     * <p>Unless destructive migrations are allowed, it first checks whether V11 is pending and the
     * columns and table it drops hold rows; if so it refuses before touching anything (no baseline, no
     * history table): a backup is the only way back from V11.
     *
     * @throws DestructiveMigrationException V11 would drop data and it was not allowed
     * @throws IllegalStateException         when the database cannot be adopted safely
     */
    public int migrate() {
        return withLock((connection, locked) -> {
            SchemaState state = inspect(connection);
            FluentConfiguration config = flyway(locked);
            requireChain(config.load().info());
            if (!allowDestructive && destructivePending(state, config)) {
                List<String> losses = v11Losses(connection);
                if (!losses.isEmpty()) {
                    throw new DestructiveMigrationException(losses);
                }
            }
            if (!state.flywayHistory()) {
                if (state.alembicRevision() != null) {
                    int version = alembicVersion(state.alembicRevision());
                    LOG.info(() -> "adopting an Alembic database at " + state.alembicRevision() + ": baseline V" + version);
                    flyway(locked).baselineVersion(String.valueOf(version))
                            .baselineDescription("adopted from Alembic " + state.alembicRevision())
                            .load().baseline();
                } else if (state.agentRelations().isEmpty()) {
                    if (state.authTable()) {
                        // empty for the agent, but not for Flyway: baseline at 0 so that V1 still runs
                        LOG.info(() -> "schema holds only " + AUTH_TABLE + ": empty for the agent, baseline V0");
                        flyway(locked).baselineVersion("0")
                                .baselineDescription("empty for the agent (only " + AUTH_TABLE + ")")
                                .load().baseline();
                    } else {
                        // the auth server may create its table between the inspection above and
                        // Flyway's own emptiness check: then Flyway baselines at 0, so V1 still runs
                        config.baselineOnMigrate(true).baselineVersion("0")
                                .baselineDescription("empty for the agent (only " + AUTH_TABLE + ")");
                    }
                } else {
                    throw new IllegalStateException(unadoptable(state));
                }
            }
            MigrateResult result = config.load().migrate();
            int applied = result.migrationsExecuted;
            LOG.info(() -> applied == 0 ? "agent schema up to date at V" + result.initialSchemaVersion
                    : "agent schema migrated " + (result.initialSchemaVersion == null ? "from empty" : "from V" + result.initialSchemaVersion)
                    + " to V" + result.targetSchemaVersion + " (" + applied + " migrations)");
            return applied;
        });
    }

    /**
     * Whether {@link #DESTRUCTIVE_VERSION} is still to run: pending in the Flyway history, or above the
     * Alembic revision a baseline would start from. Any other database is empty for the agent (nothing to
     * lose) or refused by the adoption rules anyway.
     */
    private static boolean destructivePending(SchemaState state, FluentConfiguration config) {
        if (state.flywayHistory()) {
            return Arrays.stream(config.load().info().pending())
                    .anyMatch(m -> m.isVersioned() && Integer.parseInt(m.getVersion().getVersion()) == DESTRUCTIVE_VERSION);
        }
        return state.alembicRevision() != null && alembicVersion(state.alembicRevision()) < DESTRUCTIVE_VERSION;
    }

    /**
     * What V11 would drop that holds rows: {@code user_ticket_mappings} (its active rows are copied into
     * {@code tickets}, the rest is lost) and the rows of {@code tickets} while it still has any of the
     * three columns V11 drops. Empty when nothing would be lost.
     */
    static List<String> v11Losses(Connection connection) throws SQLException {
        List<String> losses = new ArrayList<>();
        if (count(connection, "SELECT count(*) FROM pg_class WHERE oid = to_regclass('user_ticket_mappings')") > 0) {
            long mappings = count(connection, "SELECT count(*) FROM user_ticket_mappings");
            if (mappings > 0) {
                losses.add("user_ticket_mappings (" + mappings + " rows)");
            }
        }
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                        + " AND table_name = 'tickets' AND column_name IN ('external_id', 'last_seen', 'visit_count')"
                        + " ORDER BY column_name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                columns.add("tickets." + rs.getString(1));
            }
        }
        if (!columns.isEmpty()) {
            long tickets = count(connection, "SELECT count(*) FROM tickets");
            if (tickets > 0) {
                losses.add(String.join(", ", columns) + " (" + tickets + " rows)");
            }
        }
        return losses;
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Where the database is and what {@link #migrate()} would do (no lock, no writes). */
    public SchemaInfo info() {
        SchemaState state;
        try (Connection connection = dataSource.getConnection()) {
            state = inspect(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot inspect the agent schema", e);
        }
        MigrationInfoService service = flyway(dataSource).load().info();
        requireChain(service);
        String head = head(service);
        if (state.flywayHistory()) {
            MigrationInfo current = service.current();
            return new SchemaInfo(current == null ? "0" : current.getVersion().getVersion(), head,
                    describe(service.pending()), null);
        }
        if (state.alembicRevision() != null) {
            int version;
            try {
                version = alembicVersion(state.alembicRevision());
            } catch (IllegalStateException e) {
                return new SchemaInfo(null, head, List.of(), "refused: " + e.getMessage());
            }
            List<String> pending = describe(Arrays.stream(service.all())
                    .filter(m -> m.isVersioned() && Integer.parseInt(m.getVersion().getVersion()) > version)
                    .toArray(MigrationInfo[]::new));
            return new SchemaInfo(null, head, pending,
                    "Alembic revision " + state.alembicRevision() + ": migrate baselines at V" + version);
        }
        if (state.agentRelations().isEmpty()) {
            return new SchemaInfo(null, head, describe(service.pending()),
                    "empty for the agent: migrate builds the schema from V1");
        }
        return new SchemaInfo(null, head, List.of(), "refused: " + unadoptable(state));
    }

    /**
     * Records that the database is already at {@code version} without running V1..{@code version}
     * (an existing schema built outside this chain). Refused when Flyway history exists.
     */
    public void baseline(int version) {
        withLock((connection, locked) -> {
            SchemaState state = inspect(connection);
            if (state.flywayHistory()) {
                throw new IllegalStateException("the database already has Flyway history ("
                        + HISTORY_TABLE + "); baseline is only for a database Flyway has never migrated");
            }
            String head = head(flyway(locked).load().info());
            if (version < 0 || version > Integer.parseInt(head)) {
                throw new IllegalArgumentException("baseline version must be between 0 and " + head);
            }
            flyway(locked).baselineVersion(String.valueOf(version))
                    .baselineDescription("baseline by operator").load().baseline();
            LOG.info(() -> "agent schema baselined at V" + version);
            return null;
        });
    }

    /**
     * Refuses a schema that is not at head (for boots with {@code DB_MIGRATE_ON_BOOT=false}).
     *
     * @throws SchemaBehindException naming the pending versions and the command to run
     */
    public void requireCurrent() {
        SchemaInfo info = info();
        if (info.upToDate()) {
            return;
        }
        String where = info.current() == null ? "has no Flyway history" + (info.adoption() == null ? "" : " (" + info.adoption() + ")")
                : "is at V" + info.current();
        throw new SchemaBehindException("the agent schema " + where + ", this agent needs V" + info.head()
                + (info.pending().isEmpty() ? "" : "; pending: " + String.join(", ", info.pending()))
                + ". Run `java -jar agent.jar migrate` with the same DATABASE_URL (or boot with DB_MIGRATE_ON_BOOT=true).");
    }

    /** The Flyway version an Alembic revision corresponds to ({@code 0001_baseline} .. {@code 0010_...}). */
    static int alembicVersion(String revision) {
        Matcher m = ALEMBIC_REVISION.matcher(revision.strip());
        if (!m.matches()) {
            throw new IllegalStateException("unknown Alembic revision '" + revision + "' in " + ALEMBIC_TABLE);
        }
        int version = Integer.parseInt(m.group(1));
        if (version < 1 || version > 10) {
            throw new IllegalStateException("Alembic revision '" + revision + "' is not one of 0001..0010");
        }
        return version;
    }

    private static String unadoptable(SchemaState state) {
        return "the schema holds " + state.agentRelations() + " but neither " + HISTORY_TABLE + " nor "
                + ALEMBIC_TABLE + "; if it is a schema built before migrations (create_all), run "
                + "`java -jar agent.jar baseline 1`, or `baseline N` for the version it is known to match, then migrate";
    }

    /** Refuses to run with no migrations on the class path (a build without the {@code sql} module). */
    private static void requireChain(MigrationInfoService service) {
        if (Arrays.stream(service.all()).noneMatch(m -> m.isVersioned() && m.getScript() != null)) {
            throw new IllegalStateException("no agent migrations found at " + LOCATION + " on the class path");
        }
    }

    private static String head(MigrationInfoService service) {
        return Arrays.stream(service.all()).filter(MigrationInfo::isVersioned)
                .map(m -> m.getVersion().getVersion()).reduce((a, b) -> b).orElse("0");
    }

    private static List<String> describe(MigrationInfo[] migrations) {
        List<String> out = new ArrayList<>();
        for (MigrationInfo m : migrations) {
            if (m.isVersioned()) {
                out.add("V" + m.getVersion().getVersion() + " " + m.getDescription());
            }
        }
        return out;
    }

    static SchemaState inspect(Connection connection) throws SQLException {
        boolean history = false;
        boolean auth = false;
        String alembic = null;
        List<String> agent = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("""
                SELECT c.relname
                  FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = current_schema()
                   AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                 ORDER BY c.relname""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String name = rs.getString(1);
                if (name.equals(HISTORY_TABLE)) {
                    history = true;
                } else if (name.equals(ALEMBIC_TABLE)) {
                    alembic = "";
                } else if (name.startsWith(AUTH_PREFIX)) {
                    auth = true;
                } else {
                    agent.add(name);
                }
            }
        }
        if (alembic != null) {
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT version_num FROM " + ALEMBIC_TABLE)) {
                alembic = rs.next() ? rs.getString(1) : null;
            }
        }
        return new SchemaState(history, alembic, auth, List.copyOf(agent));
    }

    private interface Locked<T> {
        /** {@code locked} hands out {@code connection} itself (close is a no-op) for Flyway. */
        T run(Connection connection, DataSource locked) throws SQLException;
    }

    private <T> T withLock(Locked<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_lock(?)")) {
                lock.setLong(1, LOCK_KEY);
                lock.execute();
            }
            T result;
            try {
                result = work.run(connection, new LockConnectionDataSource(connection));
            } catch (RuntimeException | SQLException e) {
                release(connection, e);
                throw e;
            }
            release(connection, null);
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException("agent schema migration failed: " + e.getMessage(), e);
        }
    }

    /**
     * Releases the advisory lock (after ending any transaction Flyway left open). If that fails, the
     * session is aborted so the lock cannot outlive it in the pool; a failure of the work itself
     * ({@code primary}) stays the reported one.
     */
    private static void release(Connection connection, Exception primary) throws SQLException {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
            try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                unlock.setLong(1, LOCK_KEY);
                unlock.execute();
            }
        } catch (SQLException e) {
            LOG.warning(() -> "could not release the migration lock cleanly, closing the session: " + e.getMessage());
            connection.abort(Runnable::run);
            if (primary != null) {
                primary.addSuppressed(e);
            } else {
                throw e;
            }
        }
    }
}
