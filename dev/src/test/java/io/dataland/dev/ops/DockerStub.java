package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stub {@code docker} first on PATH (src/test/resources/ops/docker-stub.sh): records every call and
 * answers like docker would; its {@code run} executes the real agent jar's entrypoint arguments. The
 * same script is {@code docker-compose} there too, with docker-compose 1.29's options.
 */
final class DockerStub {

    private final Path dir;
    private final Path log;
    private final Map<String, String> env = new HashMap<>();

    DockerStub(Path dir) {
        this.dir = dir;
        this.log = dir.resolve("docker-calls.log");
        try {
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Path state = Files.createDirectories(dir.resolve("state"));
            for (String name : List.of("docker", "docker-compose")) {
                try (InputStream in = DockerStub.class.getResourceAsStream("/ops/docker-stub.sh")) {
                    Files.copy(in, bin.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
                assertTrue(bin.resolve(name).toFile().setExecutable(true));
            }
            Files.writeString(log, "");
            Path agentJar = Ops.root().resolve("agent/target/agent.jar");
            assertTrue(Files.exists(agentJar), agentJar + " is missing: package the agent first");
            env.put("PATH", bin + ":" + System.getenv("PATH"));
            env.put("STUB_LOG", log.toString());
            env.put("STUB_STATE", state.toString());
            env.put("STUB_JAVA", ProcessHandle.current().info().command().orElse("java"));
            env.put("STUB_AGENT_JAR", agentJar.toString());
            env.put("DEPLOY_POLL_SECONDS", "0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets a stub or script variable for the next runs (null: removed from the environment). */
    DockerStub with(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs {@code script} (under compose/) with {@code args}, the stub first on PATH. */
    Ops.Result run(String script, String... args) {
        List<String> command = new ArrayList<>(List.of(Ops.composeDir().resolve(script).toString()));
        command.addAll(List.of(args));
        return Ops.run(command, dir, env, 120);
    }

    /** The docker calls so far, one line each. */
    List<String> calls() {
        try {
            return Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dir() {
        return dir;
    }
}
