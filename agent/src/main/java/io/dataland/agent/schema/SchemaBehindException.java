package io.dataland.agent.schema;

/** The database's schema is not at the version this agent needs, and migrating on boot is off. */
public final class SchemaBehindException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    SchemaBehindException(String message) {
        super(message);
    }
}
