package io.dataland.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A program installed on the host (PgBouncer, HAProxy): found on {@code PATH} or in {@code /usr/sbin}
 * (where Debian puts both, outside an ordinary user's {@code PATH}). Tests use {@link RequiredTool}; this
 * class stays free of JUnit so the fleet launcher can use it without JUnit on its class path.
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
}
