package io.dataland.kit.db;

import java.util.function.Function;

import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;

/**
 * The unit of work of both services: one {@link SqlSession} on one pooled connection. A write is one
 * transaction (the server's default isolation, READ COMMITTED), committed when the work returns and rolled
 * back when it throws anything; a read runs in auto-commit. Repositories take the caller's session; the service layer opens the unit.
 */
public final class UnitOfWork {

    private final SqlSessionFactory sessions;

    /** Units of work over {@code sessions} (built by {@link MyBatis#sessionFactory}). */
    public UnitOfWork(SqlSessionFactory sessions) {
        this.sessions = sessions;
    }

    /**
     * Runs {@code work} in one transaction and commits; any exception rolls everything back and is
     * rethrown (database errors arrive wrapped by MyBatis as a
     * {@link org.apache.ibatis.exceptions.PersistenceException}).
     */
    public <T> T inTransaction(Function<SqlSession, T> work) {
        try (SqlSession session = sessions.openSession()) {
            T result;
            try {
                result = work.apply(session);
            } catch (RuntimeException | Error e) {
                // Forced: close() alone rolls back only a session MyBatis thinks is dirty, and an
                // INSERT/UPDATE ... RETURNING mapped as <select> does not make it dirty. The connection's
                // reset to auto-commit on close would then COMMIT the half-done work.
                rollback(session, e);
                throw e;
            }
            session.commit(true);
            return result;
        }
    }

    /**
     * Runs read-only {@code work} in one session in auto-commit: each statement is its own implicit
     * transaction, so a read sends no BEGIN and waits for no COMMIT round trip, and takes no transaction
     * id. Under READ COMMITTED a BEGIN ... COMMIT would not give the statements one snapshot anyway (each
     * statement takes its own); what a multi-statement read relies on instead is that each write it can
     * see was committed whole (a message with its children, in one unit of work). Work that writes
     * belongs in {@link #inTransaction}.
     */
    public <T> T read(Function<SqlSession, T> work) {
        try (SqlSession session = sessions.openSession(true)) {
            return work.apply(session);
        }
    }

    private static void rollback(SqlSession session, Throwable cause) {
        try {
            session.rollback(true);
        } catch (RuntimeException rollbackFailed) {
            // the connection is likely gone (and the server ends its transaction); keep the first error
            cause.addSuppressed(rollbackFailed);
        }
    }
}
