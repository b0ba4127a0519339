package io.dataland.kit.ops;

import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.Settings;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code check-env --env-file PATH [--production]}: the boot guard run against an env file before a
 * deploy (the seed's DAT-291). Checks both services' connection strings with the file's
 * {@code APP_ENV} ({@code --production} forces production rules, as deploy.sh does).
 *
 * <p>Exit codes: 0 the file would boot; 1 production would refuse it (every finding printed with its
 * rule); 2 usage error or unreadable file. Nothing it prints carries a password.
 */
public final class CheckEnv {

    private CheckEnv() {
    }

    /** Entry point; exits with {@link #run}'s code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the check; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path file = null;
        boolean forceProduction = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--env-file" -> {
                    if (i + 1 >= args.length) {
                        err.println("check-env: --env-file needs a path");
                        return 2;
                    }
                    file = Path.of(args[++i]);
                }
                case "--production" -> forceProduction = true;
                case "check-env" -> { }
                default -> {
                    err.println("check-env: unknown argument '" + args[i] + "'");
                    err.println("usage: check-env --env-file PATH [--production]");
                    return 2;
                }
            }
        }
        if (file == null) {
            err.println("usage: check-env --env-file PATH [--production]");
            return 2;
        }
        Map<String, String> env;
        try {
            env = parseEnvFile(Files.readAllLines(file));
        } catch (IOException e) {
            err.println("check-env: cannot read " + file + ": " + e.getClass().getSimpleName());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("check-env: " + file + ": " + e.getMessage());
            return 2;
        }
        if (forceProduction) {
            env = new HashMap<>(env);
            env.put("APP_ENV", "production");
        }
        Settings settings = Settings.of(env);
        List<CredentialGuard.Violation> found = new ArrayList<>();
        for (CredentialGuard.Service service : CredentialGuard.Service.values()) {
            for (CredentialGuard.Violation v : CredentialGuard.check(settings, service)) {
                if (!found.contains(v)) {
                    found.add(v);
                }
            }
        }
        if (found.isEmpty()) {
            out.println("check-env: " + file + " passes the credential guard (APP_ENV=" + settings.appEnv() + ")");
            return 0;
        }
        for (CredentialGuard.Violation v : found) {
            (settings.production() ? err : out).println("check-env: " + v);
        }
        if (settings.production()) {
            err.println("check-env: REFUSED: APP_ENV=production would not boot with " + file);
            return 1;
        }
        out.println("check-env: warnings only (APP_ENV=" + settings.appEnv() + "); production would refuse");
        return 0;
    }

    /**
     * Reads a docker-compose style env file: {@code KEY=VALUE} lines, {@code #} comments, an optional
     * {@code export } prefix, single or double quotes around the value.
     */
    static Map<String, String> parseEnvFile(List<String> lines) {
        Map<String, String> env = new LinkedHashMap<>();
        int number = 0;
        for (String line : lines) {
            number++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            if (text.startsWith("export ")) {
                text = text.substring("export ".length()).strip();
            }
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("line " + number + " is not KEY=VALUE");
            }
            String key = text.substring(0, eq).strip();
            String value = text.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            } else {
                int comment = value.indexOf(" #");
                if (comment >= 0) {
                    value = value.substring(0, comment).strip();
                }
            }
            env.put(key, value);
        }
        return env;
    }
}
