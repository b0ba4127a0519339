package io.dataland.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A program installed on the host (PgBouncer, HAProxy): found on {@code PATH} or in {@code /usr/sbin}
 * (where Debian puts both, outside an ordinary user's {@code PATH}).
 */
public final class HostTool {

    private HostTool() {
    }

    /** The executable {@code name}, if installed. */
    public static Optional<Path> find(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin";
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The executable {@code name} for a test. Missing: the test fails under CI ({@code CI=true}, where
     * .ci/run installs it) and is skipped with a message on a developer machine.
     */
    public static Path require(String name, String debianPackage) {
        Optional<Path> found = find(name);
        if (found.isPresent()) {
            return found.get();
        }
        String message = name + " is not installed: install Debian's " + debianPackage + " (.ci/run does)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new org.opentest4j.AssertionFailedError(message);
        }
        org.junit.jupiter.api.Assumptions.abort(message);
        return null;
    }
}
