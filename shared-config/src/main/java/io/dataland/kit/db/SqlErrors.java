package io.dataland.kit.db;

import java.sql.SQLException;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Recognises the PostgreSQL errors the repositories handle themselves. */
public final class SqlErrors {

    /** SQLSTATE {@code unique_violation}. */
    public static final String UNIQUE_VIOLATION = "23505";

    private SqlErrors() {
    }

    /** Whether {@code error} (or a cause) is a unique violation of the constraint or index {@code name}. */
    public static boolean isUniqueViolation(Throwable error, String name) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof PSQLException psql && UNIQUE_VIOLATION.equals(psql.getSQLState())) {
                ServerErrorMessage message = psql.getServerErrorMessage();
                return message != null && name.equals(message.getConstraint());
            }
            if (t instanceof SQLException sql && sql.getNextException() != null
                    && isUniqueViolation(sql.getNextException(), name)) {
                return true;
            }
        }
        return false;
    }
}
