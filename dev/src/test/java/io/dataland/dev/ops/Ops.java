package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * What the ops tests share: the repository root, the host tools they need (docker-compose,
 * shellcheck, pg_dump) and running a command with a time limit.
 */
final class Ops {

    private Ops() {
    }

    /** The repository root (surefire sets {@code dataland.root}). */
    static Path root() {
        String root = System.getProperty("dataland.root");
        Path path = root != null ? Path.of(root) : Path.of("..");
        return path.toAbsolutePath().normalize();
    }

    /** {@code compose/} under the root. */
    static Path composeDir() {
        return root().resolve("compose");
    }

    /**
     * The path of host tool {@code name}. Missing: the test fails under CI ({@code CI=true}, where
     * .ci/run installs it) and is skipped with a message on a developer machine.
     */
    static Path requireTool(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = name + " is not on PATH: install Debian's " + debianPackage + " (.ci/run does)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
        return null;
    }

    /** A finished command: its exit code and both outputs. */
    record Result(int exit, String stdout, String stderr) {
        String all() {
            return stdout + stderr;
        }
    }

    /**
     * Runs {@code command} in {@code dir} with {@code env} added to (or, for null values, removed
     * from) this JVM's environment; fails the test when it outlives {@code timeoutSeconds}.
     */
    static Result run(List<String> command, Path dir, Map<String, String> env, long timeoutSeconds) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        env.forEach((k, v) -> {
            if (v == null) {
                builder.environment().remove(k);
            } else {
                builder.environment().put(k, v);
            }
        });
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /**
     * The override files under {@code compose/}, each with the file it is layered on: valid only together
     * ({@code -f base -f override}), so they are not in {@link #composeFiles()}.
     */
    static final Map<String, String> OVERRIDES = Map.of("cutover.compose.yml", "compose.yml");

    /** Every compose file under {@code compose/} that stands on its own (not the {@link #OVERRIDES}). */
    static List<Path> composeFiles() {
        return allComposeFiles().stream().filter(p -> !OVERRIDES.containsKey(p.getFileName().toString())).toList();
    }

    /** Every compose file under {@code compose/}, overrides included. */
    static List<Path> allComposeFiles() {
        try (var files = Files.list(composeDir())) {
            return files.filter(p -> p.getFileName().toString().matches(".*compose.*\\.ya?ml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every shell script under {@code compose/}. */
    static List<Path> scripts() {
        try (var files = Files.list(composeDir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".sh")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
