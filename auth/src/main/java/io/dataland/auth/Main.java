package io.dataland.auth;

import java.util.Arrays;
import java.util.logging.Logger;

import io.dataland.kit.ops.CheckEnv;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.ops.DbStats;
import io.dataland.kit.db.PoolBudget;
import io.dataland.kit.config.Settings;
import io.helidon.logging.common.LogConfig;

/**
 * The auth's command line: {@code serve} (the default) and the operator commands.
 *
 * <pre>
 * java -jar auth.jar [serve]                       boot: guard, pool, schema, server
 * java -jar auth.jar check-env --env-file PATH     the credential guard against an env file (exit 0/1)
 * java -jar auth.jar rotate-keys                    add a signing key to AUTH_DATA_DIR and make it current
 * java -jar auth.jar remove-key KID                 delete an old signing key (never the current one)
 * java -jar auth.jar list-keys                      the key ids in AUTH_DATA_DIR, current one marked
 * java -jar auth.jar db-stats [--limit N]            top tables by live row count (pg_stat_user_tables)
 * </pre>
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
                    CredentialGuard.Service.AUTH, System.out, System.err));
            case "rotate-keys", "remove-key", "list-keys" -> System.exit(KeysCommand.run(command, rest,
                    Settings.load(System.getenv(), "application.yaml"), System.out, System.err));
            default -> {
                System.err.println("usage: auth [serve | check-env --env-file PATH [--production]"
                        + " | db-stats [--limit N] | rotate-keys"
                        + " | remove-key KID | list-keys]");
                System.exit(2);
            }
        }
    }

    private static void serve() {
        Settings settings = Settings.load(System.getenv(), "application.yaml");
        try {
            AuthServer server = AuthServer.start(settings);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "auth-shutdown"));
            LOG.info(() -> "auth serving on http://" + server.host() + ":" + server.port());
        } catch (CredentialGuard.BootRefusedException | PoolBudget.OverBudgetException e) {
            LOG.severe(e.getMessage());
            System.exit(1);
        } catch (RuntimeException e) {
            LOG.severe("auth failed to boot: " + e);
            System.exit(1);
        }
    }
}
