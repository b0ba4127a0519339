package io.dataland.agent.schema;

import java.util.List;

/**
 * What a database holds before Flyway runs, as far as adoption is concerned.
 *
 * @param flywayHistory   whether {@code flyway_schema_history} exists
 * @param alembicRevision the revision in Alembic's {@code alembic_version}, or null
 * @param authTable       whether the auth server's {@code auth_server_users} (or its sequence) is there
 * @param agentRelations  tables, views and sequences of the schema that belong to neither Flyway,
 *                        Alembic nor the auth server (i.e. the agent's, or unknown ones)
 */
record SchemaState(boolean flywayHistory, String alembicRevision, boolean authTable, List<String> agentRelations) {
}
