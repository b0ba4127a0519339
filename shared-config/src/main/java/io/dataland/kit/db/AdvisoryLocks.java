package io.dataland.kit.db;

/**
 * Every PostgreSQL advisory-lock key this system takes, in one place. Advisory keys share one namespace
 * per database, so a new key must be added here, next to the others, and must not reuse one of them.
 */
public final class AdvisoryLocks {

    /**
     * The agent's schema changes. It is the original system's {@code init_db} key, kept so a worker of the
     * Python stack and a Java agent booting on one database still exclude each other. Session-level
     * ({@code pg_advisory_lock}, on a connection of its own) because Flyway commits each migration: a
     * transaction lock would be gone after the first one.
     */
    public static final long AGENT_MIGRATIONS = 8675309L;

    /**
     * The auth server's bootstrap DDL: the next key, so two auth instances booting at once run the DDL one
     * after the other while the agent's migrations never wait on auth. Transaction-level
     * ({@code pg_advisory_xact_lock}): the whole bootstrap is one transaction and the lock ends with it.
     */
    public static final long AUTH_BOOTSTRAP = 8675310L;

    /**
     * The agent's run reaper (closes runs a dead process left open): one replica reaps at a time, the others
     * skip that round. Transaction-level ({@code pg_try_advisory_xact_lock}), so it is safe behind PgBouncer
     * in transaction mode and cannot outlive the UPDATE it guards.
     */
    public static final long RUN_REAPER = 8675311L;

    private AdvisoryLocks() {
    }
}
