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
 * the agent's own file refuses to render without {@code DATABASE_URL}, the rendered ports (every
 * variable expanded) still bind only loopback or the tailnet, and the cutover override makes the two
 * data volumes external under the old stack's names (compose.yml alone still creates its own).
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
        return config(List.of(file), envFile, extra, more);
    }

    private static Ops.Result config(List<Path> files, Path envFile, Map<String, String> extra, String... more) {
        List<String> command = new ArrayList<>(List.of(compose.toString(), "--env-file", envFile.toString()));
        files.forEach(f -> command.addAll(List.of("-f", f.toString())));
        command.add("config");
        command.addAll(List.of(more));
        return Ops.run(command, Ops.composeDir(), cleanEnv(extra), 60);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> renderedVolumes(Ops.Result rendered) {
        assertEquals(0, rendered.exit(), rendered.all());
        Map<String, Object> doc = new Yaml().load(rendered.stdout());
        return (Map<String, Map<String, Object>>) doc.get("volumes");
    }

    @Test
    void theCutoverOverrideMakesTheDataVolumesExternalUnderTheOldNames() throws IOException {
        Path base = Ops.composeDir().resolve("compose.yml");
        Path override = Ops.composeDir().resolve("cutover.compose.yml");
        Map<String, String> old = Map.of("GRAFANA_ADMIN_PASSWORD", "a-rotated-password",
                "POSTGRES_VOLUME", "dataland-infrastructure_postgres-data", "AUTH_DATA_VOLUME", "dataland-infrastructure_auth-data");
        Map<String, Map<String, Object>> cutover = renderedVolumes(config(List.of(base, override), emptyEnv, old));
        assertEquals(Map.of("external", true, "name", "dataland-infrastructure_postgres-data"), cutover.get("postgres-data"));
        assertEquals(Map.of("external", true, "name", "dataland-infrastructure_auth-data"), cutover.get("auth-data"));
        assertEquals(Map.of("name", "dataland_prometheus-data"), cutover.get("prometheus-data"), "the other volumes stay compose's own");
        assertEquals(Map.of("name", "dataland_grafana-data"), cutover.get("grafana-data"));

        // a fresh install: compose.yml alone creates (does not expect) its named volumes
        Map<String, Map<String, Object>> fresh = renderedVolumes(config(base, emptyEnv, Map.of("GRAFANA_ADMIN_PASSWORD", "a-rotated-password")));
        assertEquals(Map.of("name", "dataland_postgres-data"), fresh.get("postgres-data"));
        assertEquals(Map.of("name", "dataland_auth-data"), fresh.get("auth-data"));

        // the override without one of the names refuses to render, naming it
        Ops.Result half = config(List.of(base, override), emptyEnv, Map.of("GRAFANA_ADMIN_PASSWORD", "a-rotated-password",
                "POSTGRES_VOLUME", "dataland-infrastructure_postgres-data"), "-q");
        assertNotEquals(0, half.exit(), half.all());
        assertTrue(half.stderr().contains("set AUTH_DATA_VOLUME"), half.stderr());

        // and with the names in the .env, as deploy.sh passes it
        Path env = Files.writeString(tmp.resolve("cutover.env"), Files.readString(Ops.composeDir().resolve(".env.example"))
                + "\nPOSTGRES_VOLUME=old_pg\nAUTH_DATA_VOLUME=old_auth\n");
        Map<String, Map<String, Object>> fromEnvFile = renderedVolumes(config(List.of(base, override), env, Map.of()));
        assertEquals(Map.of("external", true, "name", "old_pg"), fromEnvFile.get("postgres-data"));
        assertEquals(Map.of("external", true, "name", "old_auth"), fromEnvFile.get("auth-data"));
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
