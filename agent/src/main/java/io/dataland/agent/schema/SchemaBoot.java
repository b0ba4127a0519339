package io.dataland.agent.schema;

import java.util.Locale;

import javax.sql.DataSource;

import io.dataland.kit.config.Settings;

/**
 * The schema step of the agent's boot (after the credential guard and the pool, before the server):
 * migrate under the advisory lock, or, with {@code DB_MIGRATE_ON_BOOT=false}, refuse a schema that is
 * not at head.
 */
public final class SchemaBoot {

    /** The switch (YAML {@code db.migrate.on.boot}, default true). */
    public static final String MIGRATE_ON_BOOT = "DB_MIGRATE_ON_BOOT";

    private SchemaBoot() {
    }

    /**
     * Brings the schema to head or checks that it is there.
     *
     * @throws SchemaBehindException    migrations are off and the schema is behind
     * @throws IllegalArgumentException the switch is neither true nor false
     * @throws IllegalStateException    the database cannot be adopted or a migration failed
     */
    public static void prepare(Settings settings, DataSource dataSource) {
        Migrations migrations = new Migrations(dataSource);
        if (migrateOnBoot(settings)) {
            migrations.migrate();
        } else {
            migrations.requireCurrent();
        }
    }

    /** {@code DB_MIGRATE_ON_BOOT}: true unless set to false. */
    public static boolean migrateOnBoot(Settings settings) {
        String value = settings.get(MIGRATE_ON_BOOT, "true").toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(MIGRATE_ON_BOOT + " must be true or false (got '" + value + "')");
        };
    }
}
