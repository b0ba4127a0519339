package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Every script under compose/ (and the docker stub the script tests use) is clean under Debian's
 * shellcheck, following sourced files, and the runnable ones are executable with a bash shebang.
 */
class ShellcheckTest {

    @Test
    void everyScriptIsCleanUnderShellcheck() throws IOException {
        Path shellcheck = Ops.requireTool("shellcheck", "shellcheck");
        List<Path> scripts = new ArrayList<>(Ops.scripts());
        assertTrue(scripts.size() >= 5, "expected deploy, backup, restore, reset-stack, healthcheck, lib: " + scripts);
        scripts.add(Ops.root().resolve("dev/src/test/resources/ops/docker-stub.sh"));
        // the postgres image's init script for the database roles (compose.yml mounts it)
        scripts.add(Ops.composeDir().resolve("postgres/initdb-roles.sh"));
        // the container tooling: bin/containers and the stand-in builder with its scripts
        scripts.add(Ops.root().resolve("bin/containers"));
        for (String script : List.of("standins.sh", "health-ticker.sh", "standins/docker-entrypoint.sh")) {
            scripts.add(Ops.root().resolve("containers").resolve(script));
        }
        List<String> command = new ArrayList<>(List.of(shellcheck.toString(), "--external-sources", "--severity=style"));
        scripts.forEach(s -> command.add(s.toString()));
        Ops.Result result = Ops.run(command, Ops.root(), Map.of(), 120);
        assertEquals(0, result.exit(), result.all());
    }

    @Test
    void runnableScriptsAreExecutableBashScripts() throws IOException {
        for (Path script : Ops.scripts()) {
            if (script.getFileName().toString().equals("lib.sh")) {
                assertTrue(Files.readString(script).startsWith("# shellcheck shell=bash"), "lib.sh is sourced, not run");
                continue;
            }
            assertTrue(Files.isExecutable(script), script + " is not executable");
            assertTrue(Files.readString(script).startsWith("#!/usr/bin/env bash\n"), script + " needs a bash shebang");
        }
    }
}
