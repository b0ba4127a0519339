package io.dataland.agent;

import java.util.Arrays;
import java.util.logging.Logger;

import io.dataland.agent.schema.SchemaBehindException;
import io.dataland.agent.schema.SchemaCommand;
import io.dataland.kit.ops.CheckEnv;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.ops.DbStats;
import io.dataland.kit.db.PoolBudget;
import io.dataland.kit.config.Settings;
import io.helidon.logging.common.LogConfig;

/**
 * The agent's command line: {@code serve} (the default) and the operator commands.
 *
 * <pre>
 * java -jar agent.jar [serve]                       boot: guard, pool, schema, server
 * java -jar agent.jar check-env --env-file PATH     the credential guard against an env file (exit 0/1)
 * java -jar agent.jar migrate                       adopt if needed, apply pending migrations (under the lock)
 * java -jar agent.jar info                          current schema version and pending migrations
 * java -jar agent.jar baseline VERSION              mark a pre-existing schema as being at VERSION
 * java -jar agent.jar db-stats [--limit N]           top tables by live row count (pg_stat_user_tables)
 * </pre>
 *
 * The schema commands need only the pool (credential guard included), not the server.
 */
public final class Main {

    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    /** Entry point. */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        String command = args.length == 0 ? "serve" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "serve" -> serve();
            case "check-env" -> System.exit(CheckEnv.run(rest, System.out, System.err));
            case "db-stats" -> System.exit(DbStats.run(rest, Settings.load(System.getenv(), "application.yaml"),
                    CredentialGuard.Service.AGENT, System.out, System.err));
            case "migrate", "info", "baseline" -> System.exit(SchemaCommand.run(command, rest,
                    Settings.load(System.getenv(), "application.yaml"), System.out, System.err));
            default -> {
                System.err.println("usage: agent [serve | check-env --env-file PATH [--production]"
                        + " | db-stats [--limit N] | migrate | info"
                        + " | baseline VERSION]");
                System.exit(2);
            }
        }
    }

    private static void serve() {
        Settings settings = Settings.load(System.getenv(), "application.yaml");
        try {
            AgentServer server = AgentServer.start(settings);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "agent-shutdown"));
            LOG.info(() -> "agent serving on http://" + server.host() + ":" + server.port());
        } catch (CredentialGuard.BootRefusedException | PoolBudget.OverBudgetException | SchemaBehindException e) {
            LOG.severe(e.getMessage());
            System.exit(1);
        } catch (RuntimeException e) {
            LOG.severe("agent failed to boot: " + e);
            System.exit(1);
        }
    }
}
