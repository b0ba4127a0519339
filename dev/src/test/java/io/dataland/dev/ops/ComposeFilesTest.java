package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The compose files read as data: the host-binding policy on every published port of every compose
 * file, the seed's {@code dataland-postgres} service setting for setting, the services' health and
 * start order, and the Prometheus/Grafana wiring against the services compose defines.
 */
class ComposeFilesTest {

    /**
     * {@code file} as data, refusing a key given twice in one mapping: YAML parsers (SnakeYAML by default,
     * compose too) keep the last one silently, so a second block of the same settings overrides the first
     * without a word (two hardening blocks once did, and the second tmpfs dropped the size limit).
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return (Map<String, Object>) new Yaml(options).load(Files.readString(file));
    }

    @Test
    void noComposeFileGivesAKeyTwice() throws IOException {
        for (Path file : Ops.allComposeFiles()) {
            assertDoesNotThrow(() -> yaml(file), file + " repeats a key");
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services(Path file) throws IOException {
        return (Map<String, Map<String, Object>>) yaml(file).get("services");
    }

    @SuppressWarnings("unchecked")
    private static <T> T get(Map<String, Object> map, String... path) {
        Object value = map;
        for (String key : path) {
            assertTrue(value instanceof Map, "no " + String.join(".", path));
            value = ((Map<String, Object>) value).get(key);
        }
        return (T) value;
    }

    @Test
    void everyPublishedPortNamesLoopbackOrTheTailnet() throws IOException {
        List<Path> files = Ops.composeFiles();
        assertTrue(files.size() >= 2, "expected compose.yml and agent.compose.yml, found " + files);
        List<String> violations = new ArrayList<>();
        int checked = 0;
        for (Path file : files) {
            for (var service : services(file).entrySet()) {
                assertFalse("host".equals(service.getValue().get("network_mode")),
                        file.getFileName() + " " + service.getKey() + " uses network_mode: host");
                Object ports = service.getValue().get("ports");
                if (ports == null) {
                    continue;
                }
                for (Object port : (List<?>) ports) {
                    checked++;
                    BindingPolicy.violation(port).ifPresent(v ->
                            violations.add(file.getFileName() + " " + service.getKey() + ": " + v));
                }
            }
        }
        assertTrue(checked >= 10, "only " + checked + " published ports found");
        assertEquals(List.of(), violations);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8000:8000", "8000", "0.0.0.0:5432:5432", "[::]:5432:5432", ":::5432:5432",
            "${POSTGRES_PORT:-5432}:5432", "${HOST}:80:80", "${POSTGRES_PUBLIC_BIND:-0.0.0.0}:5432:5432",
            "${POSTGRES_PUBLIC_BIND}:5432:5432", "203.0.113.7:80:80", "0.0.0.0:8000:8000/tcp"})
    void thePolicyRefusesEveryInterfaceAndUnnamedHosts(String spec) {
        assertTrue(BindingPolicy.violation(spec).isPresent(), spec + " should break the policy");
    }

    @Test
    void thePolicyAcceptsLoopbackAndTheTailnetPatternAndChecksLongSyntax() {
        assertEquals(Optional.empty(), BindingPolicy.violation("127.0.0.1:${POSTGRES_PORT:-5432}:5432"));
        assertEquals(Optional.empty(), BindingPolicy.violation("${POSTGRES_PUBLIC_BIND:-100.124.170.43}:${POSTGRES_PORT:-5432}:5432"));
        assertEquals(Optional.empty(), BindingPolicy.renderedViolation("100.124.170.43:5432:5432/tcp"));
        assertTrue(BindingPolicy.renderedViolation("0.0.0.0:5432:5432/tcp").isPresent());
        assertTrue(BindingPolicy.violation(Map.of("target", 8000, "published", 8000)).isPresent());
        assertEquals(Optional.empty(), BindingPolicy.violation(Map.of("target", 8000, "published", 8000, "host_ip", "127.0.0.1")));
    }

    @Test
    void postgresIsTheSeedServiceSettingForSetting() throws IOException {
        Map<String, Object> pg = services(Ops.composeDir().resolve("compose.yml")).get("postgres");
        assertEquals("${POSTGRES_IMAGE:-postgres:16-alpine}", pg.get("image"));
        assertEquals("dataland-postgres", pg.get("container_name"));
        assertEquals("1g", pg.get("mem_limit"));
        assertEquals("256m", pg.get("mem_reservation"));
        assertEquals(1.0, ((Number) pg.get("cpus")).doubleValue());
        assertEquals(List.of("postgres", "-c", "shared_buffers=256MB", "-c", "work_mem=8MB",
                "-c", "effective_cache_size=512MB", "-c", "max_connections=100"), pg.get("command"));
        // the seed's three, plus the service roles' passwords for the init script (issue 13)
        assertEquals(Map.of("POSTGRES_USER", "${POSTGRES_USER:-dataland}",
                "POSTGRES_PASSWORD", "${POSTGRES_PASSWORD:-dataland}",
                "POSTGRES_DB", "${POSTGRES_DB:-dataland}",
                "AGENT_DB_PASSWORD", "${AGENT_DB_PASSWORD:-dataland}",
                "AUTH_DB_PASSWORD", "${AUTH_DB_PASSWORD:-dataland}",
                "MONITOR_DB_PASSWORD", "${MONITOR_DB_PASSWORD:-dataland}"), pg.get("environment"));
        assertEquals(List.of("postgres-data:/var/lib/postgresql/data",
                "./postgres/initdb-roles.sh:/docker-entrypoint-initdb.d/10-dataland-roles.sh:ro",
                "./postgres/roles.sql:/dataland/roles.sql:ro"), pg.get("volumes"));
        for (String mounted : List.of("postgres/initdb-roles.sh", "postgres/roles.sql")) {
            assertTrue(Files.isRegularFile(Ops.composeDir().resolve(mounted)), mounted);
        }
        assertTrue(Files.isExecutable(Ops.composeDir().resolve("postgres/initdb-roles.sh")), "the image runs an executable *.sh");
        assertEquals(List.of("127.0.0.1:${POSTGRES_PORT:-5432}:5432",
                "${POSTGRES_PUBLIC_BIND:-100.124.170.43}:${POSTGRES_PORT:-5432}:5432"), pg.get("ports"));
        assertEquals(Map.of("test", List.of("CMD-SHELL", "pg_isready -U ${POSTGRES_USER:-dataland} -d ${POSTGRES_DB:-dataland}"),
                "interval", "10s", "timeout", "5s", "retries", 5, "start_period", "10s"), pg.get("healthcheck"));
        assertEquals(List.of("dataland-network"), pg.get("networks"));
    }

    @Test
    void everyDecisionOfTheSeedIsExplainedNextToIt() throws IOException {
        String text = Files.readString(Ops.composeDir().resolve("compose.yml"));
        for (String setting : List.of("shared_buffers", "work_mem", "effective_cache_size")) {
            assertTrue(Pattern.compile("#[^\\n]*DAT-80[^\\n]*\\n\\s*- \"" + setting).matcher(text).find(),
                    setting + " has no DAT-80 comment right above it");
        }
        assertTrue(text.contains("DAT-73"), "the tailnet binding is not explained");
        assertTrue(text.contains("DAT-146") || text.contains("DAT-291"), "the default credentials are not explained");
    }

    @Test
    void theAgentsStopGracePeriodCoversItsDrainTimeout() throws IOException {
        int drain = Integer.parseInt(new org.yaml.snakeyaml.Yaml().<Map<String, Map<String, Map<String, Object>>>>load(
                Files.readString(Ops.root().resolve("agent/src/main/resources/application.yaml")))
                .get("shutdown").get("drain").get("seconds").toString());
        for (Path file : Ops.composeFiles()) {
            Map<String, Object> agent = services(file).get("agent");
            if (agent != null) {
                String grace = String.valueOf(agent.get("stop_grace_period"));
                assertTrue(grace.matches("\\d+s") && Integer.parseInt(grace.replace("s", "")) > drain,
                        file.getFileName() + ": stop_grace_period " + grace + " must exceed SHUTDOWN_DRAIN_SECONDS " + drain);
            }
        }
    }

    @Test
    void agentAndAuthProbeTheirHealthAndWaitForHealthyPostgres() throws IOException {
        for (Path file : Ops.composeFiles()) {
            Map<String, Map<String, Object>> services = services(file);
            for (String name : List.of("agent", "auth")) {
                Map<String, Object> service = services.get(name);
                if (service == null) {
                    continue;
                }
                String port = name.equals("agent") ? "8000" : "8001";
                String where = file.getFileName() + " " + name;
                assertEquals(List.of("CMD", "/app/healthcheck.sh", port), get(service, "healthcheck", "test"), where);
                if (service.containsKey("deploy")) {
                    // replicas (fleet.compose.yml): a fixed container name would allow only one
                    assertNull(service.get("container_name"), where + " is replicated and must not name its container");
                } else {
                    assertEquals("dataland-" + name, service.get("container_name"), where);
                }
                assertEquals("0.0.0.0", get(service, "environment", "BIND_HOST"), where);
                assertTrue(((List<?>) service.get("networks")).contains("dataland-network"), where);
                assertNotNull(service.get("mem_limit"), where + " has no memory limit");
                if (services.containsKey("postgres")) {
                    assertEquals("service_healthy", get(service, "depends_on", "postgres", "condition"), where);
                }
            }
        }
        Map<String, Map<String, Object>> stack = services(Ops.composeDir().resolve("compose.yml"));
        assertEquals("service_healthy", get(stack.get("agent"), "depends_on", "auth", "condition"));
        assertEquals(List.of("auth-data:/data"), stack.get("auth").get("volumes"));
        assertEquals("/data", get(stack.get("auth"), "environment", "AUTH_DATA_DIR"));
        // issue 13: each service connects as its own role, and auth gets no DATABASE_URL to fall back to
        assertEquals("${DATABASE_URL:-postgresql+asyncpg://dataland_agent:dataland@dataland-postgres:5432/dataland}",
                get(stack.get("agent"), "environment", "DATABASE_URL"));
        assertEquals("${AUTH_DATABASE_URL:-postgresql://dataland_auth:dataland@dataland-postgres:5432/dataland}",
                get(stack.get("auth"), "environment", "AUTH_DATABASE_URL"));
        assertFalse(((Map<?, ?>) stack.get("auth").get("environment")).containsKey("DATABASE_URL"));
        assertEquals("dataland_monitor", get(stack.get("postgres-exporter"), "environment", "DATA_SOURCE_USER"));
        assertEquals("${MONITOR_DB_PASSWORD:-dataland}", get(stack.get("postgres-exporter"), "environment", "DATA_SOURCE_PASS"));
        Map<String, Object> volumes = get(yaml(Ops.composeDir().resolve("compose.yml")), "volumes");
        assertTrue(volumes.keySet().containsAll(Set.of("postgres-data", "auth-data")), volumes.toString());
        // the cutover points these at the Python stack's volumes (docs/cutover.md)
        assertEquals("${POSTGRES_VOLUME:-dataland_postgres-data}", get(volumes, "postgres-data", "name"));
        assertEquals("${AUTH_DATA_VOLUME:-dataland_auth-data}", get(volumes, "auth-data", "name"));
        // migrations are a deploy step in both production files, never a side effect of a boot
        assertEquals("false", get(stack.get("agent"), "environment", "DB_MIGRATE_ON_BOOT"));
        assertEquals("false", get(services(Ops.composeDir().resolve("agent.compose.yml")).get("agent"), "environment", "DB_MIGRATE_ON_BOOT"));
    }

    /**
     * Issue 13: every service of every compose file runs on a read-only root filesystem, without Linux
     * capabilities (postgres keeps only what its entrypoint needs to hand over its data directory),
     * without setuid escalation and with a process limit; Grafana's admin password has no fallback.
     */
    @Test
    void everyServiceIsHardened() throws IOException {
        for (Path file : Ops.composeFiles()) {
            for (Map.Entry<String, Map<String, Object>> entry : services(file).entrySet()) {
                String where = file.getFileName() + " " + entry.getKey();
                Map<String, Object> service = entry.getValue();
                assertEquals(Boolean.TRUE, service.get("read_only"), where + ": read_only");
                assertEquals(List.of("ALL"), service.get("cap_drop"), where + ": cap_drop");
                assertEquals(List.of("no-new-privileges:true"), service.get("security_opt"), where + ": security_opt");
                assertTrue(service.get("pids_limit") instanceof Integer limit && limit > 0 && limit <= 1024,
                        where + ": pids_limit " + service.get("pids_limit"));
                List<?> added = (List<?>) service.getOrDefault("cap_add", List.of());
                if (entry.getKey().equals("postgres")) {
                    assertEquals(Set.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"), Set.copyOf(added), where);
                } else {
                    assertTrue(added.isEmpty(), where + " adds capabilities: " + added);
                }
                if (Set.of("agent", "auth", "postgres", "grafana").contains(entry.getKey())) {
                    List<?> tmpfs = (List<?>) service.get("tmpfs");
                    assertTrue(tmpfs != null && tmpfs.stream().anyMatch(t -> t.toString().startsWith("/tmp")),
                            where + " needs a writable /tmp: " + tmpfs);
                }
            }
        }
        Map<String, Object> grafana = services(Ops.composeDir().resolve("compose.yml")).get("grafana");
        String password = get(grafana, "environment", "GF_SECURITY_ADMIN_PASSWORD");
        assertTrue(password.startsWith("${GRAFANA_ADMIN_PASSWORD:?"), "no fallback password: " + password);
    }

    /**
     * The cutover's override: the two volumes compose.yml names, declared {@code external: true} under
     * {@code POSTGRES_VOLUME}/{@code AUTH_DATA_VOLUME} (the {@code :?} form: no default, so a missing name
     * fails instead of creating a volume), and nothing else; every service and file it could change is
     * compose.yml's. Every override is an override of a file that exists and defines what it overrides.
     */
    @Test
    void theCutoverOverrideTakesBothVolumesAsExternalAndNothingElse() throws IOException {
        Map<String, Object> override = yaml(Ops.composeDir().resolve("cutover.compose.yml"));
        assertEquals(Set.of("volumes"), override.keySet(), "only volumes: " + override.keySet());
        Map<String, Object> volumes = get(override, "volumes");
        assertEquals(Set.of("postgres-data", "auth-data"), volumes.keySet());
        assertEquals(Boolean.TRUE, get(volumes, "postgres-data", "external"));
        assertEquals(Boolean.TRUE, get(volumes, "auth-data", "external"));
        assertEquals(Set.of("external", "name"), ((Map<?, ?>) volumes.get("postgres-data")).keySet(), "1.29 allows nothing else on an external volume");
        assertEquals(Set.of("external", "name"), ((Map<?, ?>) volumes.get("auth-data")).keySet());
        String postgresName = get(volumes, "postgres-data", "name");
        String authName = get(volumes, "auth-data", "name");
        assertTrue(postgresName.startsWith("${POSTGRES_VOLUME:?"), postgresName);
        assertTrue(authName.startsWith("${AUTH_DATA_VOLUME:?"), authName);

        List<Path> all = Ops.allComposeFiles();
        assertTrue(all.contains(Ops.composeDir().resolve("cutover.compose.yml")), all.toString());
        for (var entry : Ops.OVERRIDES.entrySet()) {
            Map<String, Object> base = yaml(Ops.composeDir().resolve(entry.getValue()));
            Map<String, Object> baseVolumes = get(base, "volumes");
            Map<String, Object> overridden = get(yaml(Ops.composeDir().resolve(entry.getKey())), "volumes");
            assertTrue(baseVolumes.keySet().containsAll(overridden.keySet()), entry + " overrides volumes its base lacks");
        }
    }

    @Test
    void theAgentsOwnFileHasNoDatabaseUrlDefault() throws IOException {
        Map<String, Object> agent = services(Ops.composeDir().resolve("agent.compose.yml")).get("agent");
        String url = get(agent, "environment", "DATABASE_URL");
        assertTrue(url.startsWith("${DATABASE_URL:?"), "DATABASE_URL must use the :? form, was " + url);
    }

    @Test
    void prometheusScrapesWhatComposeRuns() throws IOException {
        Map<String, Map<String, Object>> services = services(Ops.composeDir().resolve("compose.yml"));
        Map<String, String> containers = new LinkedHashMap<>();
        services.values().forEach(s -> containers.put(String.valueOf(s.get("container_name")), String.valueOf(s.get("image"))));
        List<Map<String, Object>> jobs = get(yaml(Ops.composeDir().resolve("prometheus/prometheus.yml")), "scrape_configs");
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        jobs.forEach(job -> byName.put(String.valueOf(job.get("job_name")), job));
        assertEquals("/observe/metrics", byName.get("dataland-agent").get("metrics_path"));
        assertEquals("/observe/metrics", byName.get("dataland-auth").get("metrics_path"));
        Map<String, String> expected = Map.of("dataland-agent", "dataland-agent:8000",
                "dataland-auth", "dataland-auth:8001", "dataland-postgres", "dataland-postgres-exporter:9187");
        expected.forEach((job, target) -> {
            List<Map<String, Object>> statics = get(byName.get(job), "static_configs");
            assertEquals(List.of(target), statics.getFirst().get("targets"), job);
            assertTrue(containers.containsKey(target.substring(0, target.indexOf(':'))), target + " is not a compose container");
        });
        assertTrue(containers.get("dataland-postgres-exporter").contains("prometheuscommunity/postgres-exporter"));
    }

    @Test
    void grafanaProvisionsTheDashboardOnThePrometheusDatasource() throws IOException {
        Path grafana = Ops.composeDir().resolve("grafana");
        List<Map<String, Object>> sources = get(yaml(grafana.resolve("provisioning/datasources/prometheus.yml")), "datasources");
        String uid = String.valueOf(sources.getFirst().get("uid"));
        String dashboard = Files.readString(grafana.resolve("dashboards/dataland.json"));
        Map<String, Object> json = new Yaml().load(dashboard); // JSON is YAML
        List<Map<String, Object>> panels = get(json, "panels");
        Set<String> jobs = new java.util.TreeSet<>();
        for (Map<String, Object> panel : panels) {
            if ("row".equals(panel.get("type"))) {
                continue;
            }
            assertEquals(uid, get(panel, "datasource", "uid"), "panel " + panel.get("title"));
            List<Map<String, Object>> targets = get(panel, "targets");
            assertFalse(targets.isEmpty(), "panel " + panel.get("title") + " has no query");
            for (Map<String, Object> target : targets) {
                Matcher m = Pattern.compile("job=~?\"([^\"]+)\"").matcher(String.valueOf(target.get("expr")));
                while (m.find()) {
                    jobs.addAll(List.of(m.group(1).split("\\|")));
                }
            }
        }
        assertEquals(Set.of("dataland-agent", "dataland-auth", "dataland-postgres"), jobs,
                "the dashboard should chart agent, auth and Postgres");
    }

    /** The metric names the dashboard charts for a job (checked against live output by DockerfileTest). */
    static Set<String> dashboardMetrics(String job) throws IOException {
        Map<String, Object> json = new Yaml().load(Files.readString(Ops.composeDir().resolve("grafana/dashboards/dataland.json")));
        List<Map<String, Object>> panels = get(json, "panels");
        Set<String> metrics = new java.util.TreeSet<>();
        Pattern selector = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}");
        for (Map<String, Object> panel : panels) {
            List<Map<String, Object>> targets = panel.get("targets") == null ? List.of() : get(panel, "targets");
            for (Map<String, Object> target : targets) {
                Matcher m = selector.matcher(String.valueOf(target.get("expr")));
                while (m.find()) {
                    if (m.group(2).contains(job)) {
                        metrics.add(m.group(1));
                    }
                }
            }
        }
        return metrics;
    }

    @Test
    void envExampleHoldsPlaceholdersNotCredentials() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Ops.composeDir().resolve(".env.example"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        for (String key : List.of("POSTGRES_PASSWORD", "AGENT_DB_PASSWORD", "AUTH_DB_PASSWORD", "MONITOR_DB_PASSWORD",
                "GRAFANA_ADMIN_PASSWORD", "DATABASE_URL", "AUTH_DATABASE_URL")) {
            assertTrue(env.getOrDefault(key, "").contains("CHANGE_ME"), key + " must be a CHANGE_ME placeholder");
        }
        assertFalse(env.get("DATABASE_URL").contains("dataland:dataland"));
        assertTrue(env.get("DATABASE_URL").startsWith("postgresql://dataland_agent:"), env.get("DATABASE_URL"));
        assertTrue(env.get("AUTH_DATABASE_URL").startsWith("postgresql://dataland_auth:"), env.get("AUTH_DATABASE_URL"));
        assertEquals("production", env.get("APP_ENV"));
    }
}
