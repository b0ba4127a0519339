package io.dataland.agent.schema;

import java.util.List;

/**
 * A pending migration would drop data (V11) and nobody said there is a backup: {@code migrate} and the
 * boot refuse before changing anything, naming what would be lost, the backup command and the override.
 */
public final class DestructiveMigrationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** {@code agent.jar migrate FLAG} allows it on the command line. */
    public static final String ALLOW_FLAG = "--i-have-a-backup";
    /** This variable set to true allows it for {@code migrate} and the migration on boot. */
    public static final String ALLOW_VARIABLE = "DB_MIGRATE_ALLOW_DESTRUCTIVE";

    DestructiveMigrationException(List<String> losses) {
        super("V11 (slim tickets) would drop data: " + String.join("; ", losses) + ". Nothing was changed."
                + " Take a backup first (compose/backup.sh --container, or pg_dump -Fc), then run"
                + " `java -jar agent.jar migrate " + ALLOW_FLAG + "` (or set " + ALLOW_VARIABLE
                + "=true for the migration on boot); compose/deploy.sh does both after its backup check.");
    }
}
