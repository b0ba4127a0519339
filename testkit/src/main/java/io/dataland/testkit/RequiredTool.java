package io.dataland.testkit;

import java.nio.file.Path;
import java.util.Optional;

/** A host program a test needs (see {@link HostTool}). */
public final class RequiredTool {

    private RequiredTool() {
    }

    /**
     * The executable {@code name} for a test. Missing: the test fails under CI ({@code CI=true}, where
     * .ci/run installs it) and is skipped with a message on a developer machine.
     */
    public static Path require(String name, String debianPackage) {
        Optional<Path> found = HostTool.find(name);
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
