package io.dataland.kit.db;

import io.dataland.kit.config.Settings;

import java.util.Locale;

/**
 * What sits between a service's pool and PostgreSQL ({@code DB_POOL_MODE}), and, behind PgBouncer, the
 * two numbers of its configuration the fleet budget needs ({@code DB_BOUNCER_MAX_CLIENT_CONN},
 * {@code DB_BOUNCER_SERVER_CONNECTIONS}: PgBouncer's {@code max_client_conn} and the server connections
 * it may open for this database, {@code max_db_connections}, or {@code default_pool_size} with one user).
 *
 * <p>Why the mode matters: in {@code pool_mode = transaction} consecutive transactions of one client
 * connection may run on different server connections, so nothing may rest on session state. The
 * services keep none (no {@code SET} without {@code LOCAL}, no {@code LISTEN}/{@code NOTIFY}, only
 * transaction-level advisory locks on the request path); what remains is pgjdbc's server-side prepared
 * statements, switched off here ({@link #prepareThreshold()}), and the agent's migration lock, which is
 * session-level and therefore runs on {@code MIGRATION_DATABASE_URL}, a direct connection.
 *
 * @param mode              {@code direct} (default), {@code session} or {@code transaction}
 * @param maxClientConn     PgBouncer's {@code max_client_conn} (ignored when direct)
 * @param serverConnections the server connections PgBouncer may open for the database (ignored when direct)
 */
public record Pooler(Mode mode, int maxClientConn, int serverConnections) {

    /** How the service reaches PostgreSQL. */
    public enum Mode {
        /** Straight to PostgreSQL. */
        DIRECT,
        /** Through PgBouncer with {@code pool_mode = session}: a client keeps its server connection. */
        SESSION,
        /** Through PgBouncer with {@code pool_mode = transaction}: no session state survives a transaction. */
        TRANSACTION
    }

    /** Straight to PostgreSQL. */
    public static final Pooler DIRECT = new Pooler(Mode.DIRECT, 0, 0);

    /** Reads {@code DB_POOL_MODE} and, unless direct, the two PgBouncer numbers. */
    public static Pooler from(Settings settings) {
        String raw = settings.require("DB_POOL_MODE").strip().toLowerCase(Locale.ROOT);
        Mode mode = switch (raw) {
            case "direct" -> Mode.DIRECT;
            case "session" -> Mode.SESSION;
            case "transaction" -> Mode.TRANSACTION;
            default -> throw new IllegalArgumentException(
                    "DB_POOL_MODE must be direct, session or transaction (got '" + raw + "')");
        };
        if (mode == Mode.DIRECT) {
            return DIRECT;
        }
        return new Pooler(mode, settings.requireInt("DB_BOUNCER_MAX_CLIENT_CONN", 1, 1_000_000),
                settings.requireInt("DB_BOUNCER_SERVER_CONNECTIONS", 1, 100_000));
    }

    /** Whether a pooler sits in front of PostgreSQL. */
    public boolean bouncer() {
        return mode != Mode.DIRECT;
    }

    /** Whether session state (prepared statements, session locks, {@code SET}) is lost between transactions. */
    public boolean transactionPooling() {
        return mode == Mode.TRANSACTION;
    }

    /**
     * pgjdbc's {@code prepareThreshold}: 0 under transaction pooling (a named server-side statement
     * prepared on one server connection does not exist on the next one, and PgBouncer 1.18 does not
     * track them), otherwise null (the driver's default, or whatever the URL says).
     */
    public String prepareThreshold() {
        return transactionPooling() ? "0" : null;
    }

    /** {@code direct}, {@code session} or {@code transaction}. */
    public String modeName() {
        return mode.name().toLowerCase(Locale.ROOT);
    }
}
