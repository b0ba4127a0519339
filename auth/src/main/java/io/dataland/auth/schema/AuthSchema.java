package io.dataland.auth.schema;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import io.dataland.kit.db.AdvisoryLocks;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbRow;
import io.helidon.dbclient.DbTransaction;

/**
 * The auth server's idempotent bootstrap DDL (the seed's {@code _init_db()}), run through
 * helidon-dbclient at every boot before the port opens: create the tables if they do not exist, add
 * each column {@code information_schema.columns} says is missing, give every row a UUID {@code sub},
 * then the unique and named indexes. Everything runs in one transaction holding
 * {@code pg_advisory_xact_lock}, so two instances booting at once apply it once; any failing statement
 * rolls back and propagates, so the boot stops loudly.
 */
public final class AuthSchema {

    private static final Logger LOG = Logger.getLogger(AuthSchema.class.getName());

    private static final SqlFile QUERIES = SqlFile.load("db/auth/queries.sql");
    private static final SqlFile CREATE = SqlFile.load("db/auth/01_create_tables.sql");
    private static final SqlFile COLUMNS = SqlFile.load("db/auth/02_add_columns.sql");
    private static final SqlFile FINISH = SqlFile.load("db/auth/03_finish.sql");

    private AuthSchema() {
    }

    /** What one bootstrap did (for the log and the tests). */
    public record Result(List<String> addedColumns, long subsBackfilled) {
    }

    /** Applies the bootstrap; throws (after rolling back) when any statement fails. */
    public static Result apply(DbClient db) {
        DbTransaction tx = db.transaction();
        try {
            tx.get(QUERIES.get("lock"), AdvisoryLocks.AUTH_BOOTSTRAP);
            CREATE.statements().values().forEach(tx::dml);
            Map<String, Boolean> nullable = columns(tx);
            List<String> added = COLUMNS.statements().entrySet().stream()
                    .filter(column -> !nullable.containsKey(column.getKey()))
                    .map(column -> {
                        tx.dml(column.getValue());
                        return column.getKey();
                    })
                    .toList();
            long backfilled = tx.dml(FINISH.get("backfill-sub"));
            if (columns(tx).getOrDefault("sub", true)) {
                tx.dml(FINISH.get("sub-not-null"));
            }
            FINISH.statements().entrySet().stream()
                    .filter(statement -> !statement.getKey().equals("backfill-sub")
                            && !statement.getKey().equals("sub-not-null"))
                    .forEach(statement -> tx.dml(statement.getValue()));
            tx.commit();
            Result result = new Result(added, backfilled);
            if (!added.isEmpty() || backfilled > 0) {
                LOG.info(() -> "auth schema upgraded: added columns " + added + ", minted " + backfilled + " subs");
            }
            return result;
        } catch (RuntimeException e) {
            try {
                tx.rollback();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException("auth schema bootstrap failed: " + e.getMessage(), e);
        }
    }

    /** Column name to nullability for {@code auth_server_users}. */
    private static Map<String, Boolean> columns(DbTransaction tx) {
        Map<String, Boolean> columns = new HashMap<>();
        try (var rows = tx.query(QUERIES.get("columns"))) {
            rows.forEach((DbRow row) -> columns.put(row.column("column_name").getString(),
                    "YES".equals(row.column("is_nullable").getString())));
        }
        return columns;
    }
}
