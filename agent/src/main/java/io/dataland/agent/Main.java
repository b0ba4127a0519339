package io.dataland.agent;

import io.dataland.agent.schema.DestructiveMigrationException;
import io.dataland.agent.schema.SchemaBehindException;
import io.dataland.agent.schema.SchemaCommand;
import io.dataland.kit.ServiceMain;
import io.dataland.kit.config.CredentialGuard;

/**
 * The agent's command line: {@code serve} (the default) and the operator commands.
 *
 * <pre>
 * java -jar agent.jar [serve]                       boot: guard, pool, schema, server
 * java -jar agent.jar check-env --env-file PATH     the credential guard against an env file (exit 0/1)
 * java -jar agent.jar migrate [--i-have-a-backup]   adopt if needed, apply pending migrations (under the lock);
 *                                                   V11 drops data: refused while it would, unless the flag
 *                                                   (or DB_MIGRATE_ALLOW_DESTRUCTIVE=true) says there is a backup
 * java -jar agent.jar info                          current schema version and pending migrations
 * java -jar agent.jar baseline VERSION              mark a pre-existing schema as being at VERSION
 * java -jar agent.jar db-stats [--limit N]           top tables by live row count (pg_stat_user_tables)
 * </pre>
 *
 * The schema commands need only the pool (credential guard included), not the server.
 */
public final class Main {

    private Main() {
    }

    /** Entry point. */
    public static void main(String[] args) {
        ServiceMain.of("agent", CredentialGuard.Service.AGENT, AgentServer::start)
                .refusal(SchemaBehindException.class)
                .refusal(DestructiveMigrationException.class)
                .command("migrate", "migrate [--i-have-a-backup]", SchemaCommand::run)
                .command("info", "info", SchemaCommand::run)
                .command("baseline", "baseline VERSION", SchemaCommand::run)
                .main(args);
    }
}
