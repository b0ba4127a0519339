package io.dataland.agent.schema;

import java.io.PrintStream;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.ServiceBoot;
import io.dataland.kit.config.DatabaseSettings;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.Pooler;

/**
 * The operator commands {@code migrate [--i-have-a-backup]}, {@code info} and {@code baseline VERSION}:
 * the pool (with the credential guard) and {@link Migrations}, no server.
 */
public final class SchemaCommand {

    private SchemaCommand() {
    }

    /** Runs {@code command} with {@code args}; returns the exit code (0 ok, 1 failed, 2 usage). */
    public static int run(String command, String[] args, Settings settings, PrintStream out, PrintStream err) {
        Integer version = null;
        boolean allowDestructive = false;
        if (command.equals("migrate") && args.length == 1 && args[0].equals(DestructiveMigrationException.ALLOW_FLAG)) {
            allowDestructive = true;
        } else if (command.equals("baseline")) {
            if (args.length != 1 || !args[0].matches("\\d{1,3}")) {
                err.println("usage: agent baseline VERSION   (a whole number, e.g. 1 for a pre-migration schema)");
                return 2;
            }
            version = Integer.parseInt(args[0]);
        } else if (args.length != 0) {
            err.println("usage: agent " + command + (command.equals("migrate") ? " [" + DestructiveMigrationException.ALLOW_FLAG + "]" : ""));
            return 2;
        }
        // a command needs one connection at a time (Flyway runs on the lock's), not the service's pool;
        // MIGRATION_DATABASE_URL, when set, is the direct connection a transaction-pooled fleet migrates on
        Settings small = settings.with(Map.of("DB_POOL_SIZE", "1", "DB_MAX_OVERFLOW", "1"));
        if (DatabaseSettings.migration(settings).isEmpty() && Pooler.from(settings).transactionPooling()
                && !command.equals("info")) {
            err.println(command + " failed: " + SchemaBoot.TRANSACTION_POOLING_NEEDS_DIRECT);
            return 1;
        }
        try (HikariDataSource dataSource = DatabaseSettings.migration(settings).isPresent()
                ? SchemaBoot.openDirect(settings, "dataland-agent-" + command)
                : ServiceBoot.openPool("dataland-agent-" + command, small, CredentialGuard.Service.AGENT)) {
            Migrations migrations = new Migrations(dataSource, allowDestructive || SchemaBoot.allowDestructive(settings));
            switch (command) {
                case "migrate" -> {
                    int applied = migrations.migrate();
                    out.println("applied " + applied + " migration(s)");
                    out.print(migrations.info().render());
                }
                case "info" -> out.print(migrations.info().render());
                case "baseline" -> {
                    migrations.baseline(version);
                    out.println("baselined at V" + version);
                    out.print(migrations.info().render());
                }
                default -> throw new IllegalArgumentException("unknown command " + command);
            }
            return 0;
        } catch (RuntimeException e) {
            err.println(command + " failed: " + e.getMessage());
            return 1;
        }
    }
}
