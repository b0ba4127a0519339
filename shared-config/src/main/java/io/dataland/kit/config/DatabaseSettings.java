package io.dataland.kit.config;

/**
 * Which connection string each service uses (docs/api.md, "Configuration").
 *
 * <ul>
 *   <li>agent: {@code DATABASE_URL}, default {@link #AGENT_DEFAULT};</li>
 *   <li>auth: {@code AUTH_DATABASE_URL}, else {@code DATABASE_URL}, else {@link #AUTH_DEFAULT}.</li>
 * </ul>
 */
public final class DatabaseSettings {

    /** The agent's documented default: the original's, host dataland-postgres (the compose network name). */
    public static final String AGENT_DEFAULT = "postgresql+asyncpg://dataland:dataland@dataland-postgres:5432/dataland";
    /** The auth server's documented last-resort default. */
    public static final String AUTH_DEFAULT = "postgresql://dataland:dataland@localhost:5432/dataland";

    private DatabaseSettings() {
    }

    /** A resolved connection string and the variable it came from (for messages). */
    public record Source(String variable, String url) {
        /** Parsed; errors name {@link #variable()} and never the password. */
        public DatabaseUrl parse() {
            return DatabaseUrl.parse(variable, url);
        }
    }

    /** The agent's store: {@code DATABASE_URL} or its default. */
    public static Source agent(Settings settings) {
        return new Source("DATABASE_URL", settings.get("DATABASE_URL", AGENT_DEFAULT));
    }

    /**
     * The agent's migrations: {@code MIGRATION_DATABASE_URL} when set. Behind a transaction-pooling
     * PgBouncer it must reach PostgreSQL directly (or through a session-pooled port), because the
     * migration lock is a session-level advisory lock.
     */
    public static java.util.Optional<Source> migration(Settings settings) {
        return settings.find("MIGRATION_DATABASE_URL").filter(url -> !url.isBlank())
                .map(url -> new Source("MIGRATION_DATABASE_URL", url));
    }

    /** The auth server's store: {@code AUTH_DATABASE_URL}, then {@code DATABASE_URL}, then its default. */
    public static Source auth(Settings settings) {
        return settings.find("AUTH_DATABASE_URL").map(url -> new Source("AUTH_DATABASE_URL", url))
                .or(() -> settings.find("DATABASE_URL").map(url -> new Source("DATABASE_URL", url)))
                .orElse(new Source("AUTH_DATABASE_URL", AUTH_DEFAULT));
    }
}
