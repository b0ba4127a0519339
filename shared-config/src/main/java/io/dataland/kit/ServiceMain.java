package io.dataland.kit;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.PoolBudget;
import io.dataland.kit.ops.CheckEnv;
import io.dataland.kit.ops.DbStats;
import io.helidon.logging.common.LogConfig;

/**
 * The command line of both services: {@code serve} (the default), {@code check-env}, {@code db-stats} and
 * the commands a service adds. A service's {@code Main} is its table of commands:
 *
 * <pre>
 * ServiceMain.of("agent", CredentialGuard.Service.AGENT, AgentServer::start)
 *         .command("migrate", "migrate", SchemaCommand::run)
 *         .main(args);
 * </pre>
 *
 * Exit codes: what the command returns; 1 when {@code serve} cannot boot (a refusal is logged with its
 * own message, anything else as "failed to boot"); 2 for an unknown command.
 */
public final class ServiceMain {

    private static final Logger LOG = Logger.getLogger(ServiceMain.class.getName());

    /** A running server, stopped by the shutdown hook. */
    public interface Server extends AutoCloseable {
        /** The bind host. */
        String host();

        /** The listening port. */
        int port();

        @Override
        void close();
    }

    /** A command after {@code serve}: its name, the arguments after it, the settings; returns the exit code. */
    @FunctionalInterface
    public interface Command {
        int run(String name, String[] args, Settings settings, PrintStream out, PrintStream err);
    }

    private record Entry(String usage, Command command) {
    }

    private final String service;
    private final Function<Settings, ? extends Server> serve;
    private final Map<String, Entry> commands = new LinkedHashMap<>();
    private final List<Class<? extends RuntimeException>> refusals = new ArrayList<>(
            List.of(CredentialGuard.BootRefusedException.class, PoolBudget.OverBudgetException.class));

    private ServiceMain(String service, CredentialGuard.Service guard, Function<Settings, ? extends Server> serve) {
        this.service = service;
        this.serve = serve;
        command("check-env", "check-env --env-file PATH [--production]",
                (name, args, settings, out, err) -> CheckEnv.run(args, out, err));
        command("db-stats", "db-stats [--limit N]",
                (name, args, settings, out, err) -> DbStats.run(args, settings, guard, out, err));
    }

    /** The command line of {@code service} (its name in logs and usage), booted by {@code serve}. */
    public static ServiceMain of(String service, CredentialGuard.Service guard,
                                 Function<Settings, ? extends Server> serve) {
        return new ServiceMain(service, guard, serve);
    }

    /** Adds {@code name}, shown as {@code usage} in the usage line. */
    public ServiceMain command(String name, String usage, Command command) {
        commands.put(name, new Entry(usage, command));
        return this;
    }

    /** A boot exception that is a refusal: logged with its own message only. */
    public ServiceMain refusal(Class<? extends RuntimeException> type) {
        refusals.add(type);
        return this;
    }

    /** Runs the command {@code args} name and exits with its code (stays up for {@code serve}). */
    public void main(String[] args) {
        LogConfig.configureRuntime();
        String name = args.length == 0 ? "serve" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        if (name.equals("serve")) {
            serve();
            return;
        }
        Entry entry = commands.get(name);
        if (entry == null) {
            System.err.println(usage());
            System.exit(2);
        }
        System.exit(entry.command().run(name, rest, settings(), System.out, System.err));
    }

    /** {@code usage: service [serve | ...]}. */
    String usage() {
        List<String> lines = new ArrayList<>(List.of("serve"));
        commands.values().forEach(e -> lines.add(e.usage()));
        return "usage: " + service + " [" + String.join(" | ", lines) + "]";
    }

    private void serve() {
        try {
            Server server = serve.apply(settings());
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, service + "-shutdown"));
            LOG.info(() -> service + " serving on http://" + server.host() + ":" + server.port());
        } catch (RuntimeException e) {
            if (refusals.stream().anyMatch(type -> type.isInstance(e))) {
                LOG.severe(e.getMessage());
            } else {
                LOG.severe(service + " failed to boot: " + e);
            }
            System.exit(1);
        }
    }

    private static Settings settings() {
        return Settings.load(System.getenv(), "application.yaml");
    }
}
