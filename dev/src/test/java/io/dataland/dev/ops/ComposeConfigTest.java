package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Every compose file through Debian's docker-compose 1.29 ({@code config -q}, offline): it renders,
 * the agent's own file refuses to render without {@code DATABASE_URL}, and the rendered ports (every
 * variable expanded) still bind only loopback or the tailnet.
 */
class ComposeConfigTest {

    private static Path compose;
    @TempDir
    static Path tmp;
    private static Path emptyEnv;

    @BeforeAll
    static void tool() throws IOException {
        compose = Ops.requireTool("docker-compose", "docker-compose");
        emptyEnv = Files.writeString(tmp.resolve("empty.env"), "");
    }

    /** The environment of a render: nothing from this JVM's DATABASE_URL etc. leaks in. */
    private static Map<String, String> cleanEnv(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        for (String name : System.getenv().keySet()) {
            if (name.startsWith("POSTGRES_") || name.endsWith("_PUBLIC_BIND") || name.contains("DATABASE_URL")
                    || name.startsWith("COMPOSE_") || name.endsWith("_PORT") || name.startsWith("GRAFANA_")) {
                env.put(name, null);
            }
        }
        env.putAll(extra);
        return env;
    }

    private static Ops.Result config(Path file, Path envFile, Map<String, String> extra, String... more) {
        List<String> command = new ArrayList<>(List.of(compose.toString(), "--env-file", envFile.toString(),
                "-f", file.toString(), "config"));
        command.addAll(List.of(more));
        return Ops.run(command, Ops.composeDir(), cleanEnv(extra), 60);
    }

    @Test
    void everyComposeFileValidates() {
        for (Path file : Ops.composeFiles()) {
            Ops.Result withExample = config(file, Ops.composeDir().resolve(".env.example"), Map.of(), "-q");
            assertEquals(0, withExample.exit(), file.getFileName() + " with .env.example: " + withExample.all());
        }
        // every default but one: Grafana's admin password has no fallback (no admin/admin)
        Ops.Result defaults = config(Ops.composeDir().resolve("compose.yml"), emptyEnv,
                Map.of("GRAFANA_ADMIN_PASSWORD", "a-rotated-password"), "-q");
        assertEquals(0, defaults.exit(), "compose.yml on its defaults: " + defaults.all());
        Ops.Result noGrafanaPassword = config(Ops.composeDir().resolve("compose.yml"), emptyEnv, Map.of(), "-q");
        assertTrue(noGrafanaPassword.exit() != 0 && noGrafanaPassword.all().contains("GRAFANA_ADMIN_PASSWORD"),
                "compose.yml renders without a Grafana password: " + noGrafanaPassword.all());
    }

    @Test
    void theAgentsFileRefusesToRenderWithoutDatabaseUrl() {
        Path file = Ops.composeDir().resolve("agent.compose.yml");
        Ops.Result unset = config(file, emptyEnv, Map.of(), "-q");
        assertNotEquals(0, unset.exit(), "rendered without DATABASE_URL: " + unset.all());
        assertTrue(unset.stderr().contains("DATABASE_URL must be set"), unset.stderr());
        Ops.Result empty = config(file, emptyEnv, Map.of("DATABASE_URL", ""), "-q");
        assertNotEquals(0, empty.exit(), "rendered with an empty DATABASE_URL");
        Ops.Result set = config(file, emptyEnv, Map.of("DATABASE_URL", "postgresql://u:p@dataland-postgres:5432/dataland"), "-q");
        assertEquals(0, set.exit(), set.all());
    }

    @Test
    @SuppressWarnings("unchecked")
    void renderedPortsBindOnlyLoopbackOrTheTailnet() {
        int checked = 0;
        for (Path file : Ops.composeFiles()) {
            Ops.Result rendered = config(file, emptyEnv, Map.of("DATABASE_URL", "postgresql://u:p@dataland-postgres:5432/dataland",
                    "GRAFANA_ADMIN_PASSWORD", "a-rotated-password"));
            assertEquals(0, rendered.exit(), rendered.all());
            Map<String, Object> doc = new Yaml().load(rendered.stdout());
            for (var service : ((Map<String, Map<String, Object>>) doc.get("services")).entrySet()) {
                for (Object port : (List<Object>) service.getValue().getOrDefault("ports", List.of())) {
                    checked++;
                    String spec = port instanceof Map<?, ?> m
                            ? m.get("host_ip") + ":" + m.get("published") + ":" + m.get("target") : port.toString();
                    assertEquals(java.util.Optional.empty(), BindingPolicy.renderedViolation(spec),
                            file.getFileName() + " " + service.getKey());
                }
            }
        }
        assertTrue(checked >= 10, "only " + checked + " rendered ports");
    }
}
