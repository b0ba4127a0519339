package io.dataland.agent.schema;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.logging.Logger;

import javax.sql.DataSource;

import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.kit.ServiceBoot;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.DatabaseSettings;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.Pooler;

/**
 * The schema step of the agent's boot (after the credential guard and the pool, before the server):
 * migrate under the advisory lock, or, with {@code DB_MIGRATE_ON_BOOT=false}, refuse a schema that is
 * not at head. The migration refuses to drop data (V11) unless {@code DB_MIGRATE_ALLOW_DESTRUCTIVE=true}. With {@code MIGRATION_DATABASE_URL} set, the step runs on a one-connection pool of its own
 * to that URL (closed afterwards), so the service's own pool may go through a transaction-pooling PgBouncer.
 */
public final class SchemaBoot {

    /** The switch (YAML {@code db.migrate.on.boot}, default true). */
    public static final String MIGRATE_ON_BOOT = "DB_MIGRATE_ON_BOOT";

    private static final Logger LOG = Logger.getLogger(SchemaBoot.class.getName());

    private SchemaBoot() {
    }

    /**
     * Brings the schema to head or checks that it is there.
     *
     * @throws SchemaBehindException         migrations are off and the schema is behind
     * @throws DestructiveMigrationException V11 would drop data and it is not allowed
     * @throws IllegalArgumentException      a switch is neither true nor false
     * @throws IllegalStateException    the database cannot be adopted or a migration failed
     */
    public static void prepare(Settings settings, DataSource dataSource) {
        boolean migrate = migrateOnBoot(settings);
        if (DatabaseSettings.migration(settings).isEmpty()) {
            if (migrate && Pooler.from(settings).transactionPooling()) {
                throw new IllegalStateException(TRANSACTION_POOLING_NEEDS_DIRECT);
            }
            if (atHead(dataSource)) {
                return;
            }
            run(new Migrations(dataSource, allowDestructive(settings)), migrate);
            return;
        }
        try (HikariDataSource direct = openDirect(settings, "dataland-agent-migrations")) {
            run(new Migrations(direct, allowDestructive(settings)), migrate);
        }
    }

    /**
     * The fast path of a boot that meets its schema at head (every restart): the history already records
     * every script with its current checksum ({@link HistoryCheck}), so Flyway would find nothing to do.
     * Only on the service's own pool: with {@code MIGRATION_DATABASE_URL} the step keeps opening (and so
     * checking) the direct pool on every boot. Any error reading the history leaves the decision to Flyway.
     */
    private static boolean atHead(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            if (!HistoryCheck.atHead(connection)) {
                return false;
            }
        } catch (SQLException e) {
            // not readable here: Flyway reads it again under the lock and says what is wrong
            LOG.fine(() -> "migration history not checked (" + e.getMessage() + "); Flyway decides");
            return false;
        }
        LOG.info("agent schema up to date (" + Migrations.HISTORY_TABLE + " records every migration script, unchanged)");
        return true;
    }

    /**
     * Why a transaction-pooled agent refuses to migrate without {@code MIGRATION_DATABASE_URL}: the
     * migration lock is a session-level advisory lock; through PgBouncer in transaction mode it would be
     * taken on one server connection, the migration could run on others, and the unlock could land on a
     * third, leaving the lock held by a pooled server connection that no agent owns.
     */
    static final String TRANSACTION_POOLING_NEEDS_DIRECT = "DB_POOL_MODE=transaction: the agent's migrations hold "
            + "a session-level advisory lock, which transaction pooling does not keep; set MIGRATION_DATABASE_URL "
            + "to a direct PostgreSQL connection (or a session-pooled PgBouncer port), or boot with "
            + "DB_MIGRATE_ON_BOOT=false and run `java -jar agent.jar migrate` against PostgreSQL directly";

    /**
     * A pool of one connection on {@code MIGRATION_DATABASE_URL}, straight to PostgreSQL, with the
     * credential guard and budget of any pool (closed by the caller after the schema step).
     */
    public static HikariDataSource openDirect(Settings settings, String poolName) {
        String url = DatabaseSettings.migration(settings).orElseThrow().url();
        Settings direct = settings.with(Map.of("DATABASE_URL", url, "DB_POOL_MODE", "direct",
                "DB_POOL_SIZE", "1", "DB_MAX_OVERFLOW", "0", "DB_EXPECTED_INSTANCES", "1"));
        return ServiceBoot.openPool(poolName, direct, CredentialGuard.Service.AGENT);
    }

    private static void run(Migrations migrations, boolean migrate) {
        if (migrate) {
            migrations.migrate();
        } else {
            migrations.requireCurrent();
        }
    }

    /** {@code DB_MIGRATE_ON_BOOT}: true unless set to false. */
    public static boolean migrateOnBoot(Settings settings) {
        return flag(settings, MIGRATE_ON_BOOT, "true");
    }

    /** {@code DB_MIGRATE_ALLOW_DESTRUCTIVE}: false unless set to true (there is a backup; V11 may drop data). */
    public static boolean allowDestructive(Settings settings) {
        return flag(settings, DestructiveMigrationException.ALLOW_VARIABLE, "false");
    }

    private static boolean flag(Settings settings, String name, String fallback) {
        String value = settings.get(name, fallback).toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false (got '" + value + "')");
        };
    }
}
