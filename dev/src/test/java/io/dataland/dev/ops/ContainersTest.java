package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose topology in real containers (rootful podman): {@code bin/containers up} builds the
 * stand-in base images, both images from the real Dockerfiles, and starts postgres, auth and agent from
 * compose.yml; then, in the running containers: health through the HEALTHCHECK, the non-root user, the
 * hardening compose declares, the auth key pair on a fresh named volume, the contract through loopback
 * ports, a restart that keeps data and key, SIGTERM within the grace period, and compose/deploy.sh end
 * to end (its refusal path first). Skipped only where podman is absent and CI is not set.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(Integer.MAX_VALUE) // the last class of the module (junit-platform.properties): see up()
class ContainersTest {

    private static final List<String> SERVICES = List.of("dataland-auth", "dataland-agent");
    private static final List<String> ALL = List.of("dataland-postgres", "dataland-auth", "dataland-agent");
    private static final String NON_ROOT_UID = "10001";
    private static final Pattern TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> env = new HashMap<>();
    private String email;
    private final String password = "container-test-" + UUID.randomUUID();

    @TempDir
    Path dir;

    @BeforeAll
    void up() {
        // Cold, this builds the stand-ins and both images (minutes); bin/test starts that build in the
        // background before the Maven tests when it will be needed, and `bin/containers up` waits for it.
        Assumptions.assumeFalse("0".equals(System.getenv("DATALAND_CONTAINER_TESTS")),
                "the container test is switched off: DATALAND_CONTAINER_TESTS=0");
        Ops.requireTool("podman", "podman");
        Ops.requireTool("docker-compose", "docker-compose");
        Ops.requireTool("debootstrap", "debootstrap");
        if (!"0".equals(Ops.run(List.of("id", "-u"), Ops.root(), Map.of(), 10).stdout().strip())) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("rootful podman: the container test runs as root under CI");
            }
            Assumptions.abort("rootful podman needs root");
        }
        // Ports nobody else on this shared machine uses; the second (tailnet) binding goes to 127.0.0.2.
        env.put("POSTGRES_PORT", String.valueOf(freePort()));
        env.put("AUTH_PORT", String.valueOf(freePort()));
        env.put("AGENT_PORT", String.valueOf(freePort()));
        // A fresh start: no containers, and fresh named volumes (the key folder test needs one).
        containers("down", "--volumes");
        Ops.Result up = containers("up");
        assertEquals(0, up.exit(), up.all());
        System.out.println(up.stderr());
        for (String line : containers("standins").stdout().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        for (String line : containers("env").stdout().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
    }

    @AfterAll
    void down() {
        if (!env.isEmpty()) {
            containers("down", "--volumes");
        }
    }

    @Test
    @Order(1)
    void allThreeBecomeHealthyThroughTheirHealthChecks() {
        for (String container : ALL) {
            assertEquals("healthy", inspect(container, "{{.State.Health.Status}}"), container);
            assertTrue(inspect(container, "{{range .State.Health.Log}}{{.ExitCode}} {{end}}").contains("0"), container);
        }
        for (String container : SERVICES) {
            assertTrue(inspect(container, "{{json .Config.Healthcheck.Test}}").contains("/app/healthcheck.sh"), container);
        }
        assertTrue(inspect("dataland-postgres", "{{json .Config.Healthcheck.Test}}").contains("pg_isready"));
    }

    @Test
    @Order(2)
    void theServicesRunAsTheNonRootUserUnderTheDeclaredHardening() {
        for (String container : SERVICES) {
            assertEquals("dataland:dataland", inspect(container, "{{.Config.User}}"), container);
            // what the kernel enforces on the service process (PID 1 in the container)
            String status = podman("exec", container, "cat", "/proc/1/status").stdout();
            assertTrue(status.matches("(?s).*\\nUid:\\s+" + NON_ROOT_UID + "\\s+" + NON_ROOT_UID + ".*"), container + ": " + status);
            assertTrue(status.matches("(?s).*\\nCapEff:\\s+0+\\n.*"), container + " has effective capabilities: " + status);
            assertTrue(status.matches("(?s).*\\nNoNewPrivs:\\s+1\\n.*"), container + " may gain privileges: " + status);
            // and what podman reports it was asked for
            assertEquals("true", inspect(container, "{{.HostConfig.ReadonlyRootfs}}"), container);
            assertTrue(inspect(container, "{{.HostConfig.SecurityOpt}}").contains("no-new-privileges"), container);
            assertEquals("[]", inspect(container, "{{.HostConfig.CapAdd}}"), container);
            Ops.Result write = podman("exec", container, "touch", "/app/written");
            assertNotEquals(0, write.exit(), container + ": the root filesystem is writable");
            assertTrue(write.stderr().contains("Read-only file system"), write.all());
            assertEquals(0, podman("exec", container, "touch", "/tmp/written").exit(), container + ": /tmp must stay writable");
        }
    }

    @Test
    @Order(3)
    void authWritesItsKeyPairToAFreshNamedVolumeAsTheNonRootUser() {
        assertTrue(inspect("dataland-auth", "{{json .Mounts}}").contains("dataland_auth-data"));
        String files = podman("exec", "dataland-auth", "find", "/data", "-type", "f", "-printf", "%U %f\\n").stdout().strip();
        assertFalse(files.isEmpty(), "no key pair in /data");
        for (String line : files.split("\n")) {
            assertTrue(line.startsWith(NON_ROOT_UID + " "), "not written by the service user: " + line);
        }
        assertTrue(get(authUrl("/.well-known/jwks.json"), null).body().contains("\"kid\""));
    }

    @Test
    @Order(4)
    void theContractAnswersThroughPortsPublishedOnLoopbackOnly() throws Exception {
        for (String container : ALL) {
            String bindings = inspect(container, "{{json .HostConfig.PortBindings}}");
            Matcher hostIp = Pattern.compile("\"HostIp\"\\s*:\\s*\"([^\"]*)\"").matcher(bindings);
            int count = 0;
            while (hostIp.find()) {
                count++;
                assertTrue(hostIp.group(1).startsWith("127."), container + " publishes on '" + hostIp.group(1) + "' (not loopback): " + bindings);
            }
            assertEquals(2, count, container + ": the loopback and the (stand-in) tailnet binding: " + bindings);
            assertTrue(inspect(container, "{{json .NetworkSettings.Networks}}").contains("dataland-network"), container);
        }
        email = "staff-" + UUID.randomUUID() + "@example.org";
        HttpResponse<String> signup = post(authUrl("/auth/signup"), null,
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\",\"full_name\":\"Container Test\"}");
        assertEquals(201, signup.statusCode(), signup.body());
        String token = token(signup.body());
        // The agent checks the token against dataland-auth's JWKS over dataland-network.
        HttpResponse<String> me = meOnceTheKeyIsKnown(token);
        assertEquals(200, me.statusCode(), me.body());
        HttpResponse<String> chat = post(agentUrl("/v1/chat"), token, "{\"message\":\"Hello from a container test\"}");
        assertEquals(200, chat.statusCode(), chat.body());
        assertEquals(401, get(agentUrl("/v1/me"), null).statusCode());
    }

    @Test
    @Order(5)
    void aRestartKeepsTheDataAndTheSigningKey() throws Exception {
        assertTrue(email != null, "runs after the contract test, which signs up");
        String jwksBefore = get(authUrl("/.well-known/jwks.json"), null).body();
        String token = token(post(authUrl("/auth/login"), null, "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}").body());
        String conversations = get(agentUrl("/v1/conversations"), token).body();
        assertTrue(conversations.contains("\"id\""), conversations);

        for (String container : ALL) {
            Ops.Result restart = podman("restart", container);
            assertEquals(0, restart.exit(), restart.all());
        }
        waitHealthy(ALL, 180);

        assertEquals(jwksBefore, get(authUrl("/.well-known/jwks.json"), null).body(), "the signing key changed on restart");
        HttpResponse<String> login = post(authUrl("/auth/login"), null, "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
        assertEquals(200, login.statusCode(), "the account is gone after a restart: " + login.body());
        // a token signed before the restart still verifies: same key
        HttpResponse<String> after = get(agentUrl("/v1/conversations"), token);
        assertEquals(200, after.statusCode(), after.body());
        assertEquals(conversations, after.body(), "the conversations changed across the restart");
    }

    @Test
    @Order(6)
    void sigtermStopsEachServiceCleanlyWithinItsGracePeriod() {
        // compose's stop_grace_period: the agent's covers its turn drain (SHUTDOWN_DRAIN_SECONDS, 20 s), the others 10 s
        Map<String, Integer> declared = Map.of("dataland-agent", 30, "dataland-auth", 10, "dataland-postgres", 10);
        for (String container : List.of("dataland-agent", "dataland-auth", "dataland-postgres")) {
            int grace = Integer.parseInt(inspect(container, "{{.Config.StopTimeout}}"));
            assertEquals(declared.get(container), grace, container + ": compose's stop_grace_period");
            long start = System.nanoTime();
            Ops.Result stop = podman("stop", container);
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            assertEquals(0, stop.exit(), stop.all());
            assertTrue(seconds < grace, container + " took " + seconds + " s of a " + grace + " s grace period (killed?)");
            String exit = inspect(container, "{{.State.ExitCode}}");
            // 143 = the JVM's exit after SIGTERM ran its shutdown hooks; 137 would be SIGKILL
            assertTrue(exit.equals("0") || exit.equals("143"), container + " exited " + exit);
        }
        String authLog = podman("logs", "dataland-auth").all();
        assertFalse(authLog.contains("SEVERE"), authLog);
    }

    @Test
    @Order(7)
    void deployRefusesTheDefaultCredentialsBeforeStartingAnything() throws IOException {
        String imageBefore = inspectImage("dataland/agent:latest");
        Path envFile = Files.writeString(dir.resolve("default.env"), String.join("\n",
                "APP_ENV=production", "POSTGRES_USER=dataland", "POSTGRES_PASSWORD=dataland", "POSTGRES_DB=dataland",
                "GRAFANA_ADMIN_PASSWORD=dataland",
                // deploy.sh refuses a default exporter password on its own; the services' defaults are the
                // agent's credential guard's to refuse (check-env --production from the image just built)
                "AGENT_DB_PASSWORD=dataland", "AUTH_DB_PASSWORD=dataland", "MONITOR_DB_PASSWORD=m" + UUID.randomUUID(),
                "DATABASE_URL=postgresql://dataland_agent:dataland@dataland-postgres:5432/dataland",
                "AUTH_DATABASE_URL=postgresql://dataland_auth:dataland@dataland-postgres:5432/dataland", ""));
        Ops.Result deploy = deploy(envFile);
        assertEquals(1, deploy.exit(), deploy.all());
        assertTrue(deploy.stderr().contains("check-env from dataland/agent:latest refused"), deploy.all());
        for (String container : ALL) {
            assertEquals("exited", inspect(container, "{{.State.Status}}"), container + " was started by a refused deploy");
        }
        assertEquals(imageBefore, inspectImage("dataland/agent:latest"), "a refused deploy rebuilt the image");
    }

    @Test
    @Order(8)
    void deployBuildsChecksStartsAndWaitsForHealthAgainstPodman() throws IOException, InterruptedException {
        // rotated credentials need a fresh postgres volume (initdb takes them on first start only)
        Ops.Result down = containers("down", "--volumes");
        assertEquals(0, down.exit(), down.all());
        String rotated = "c0ntainer" + UUID.randomUUID().toString().replace("-", "");
        // the superuser for initdb and backups; each service as its own role (created by the init script)
        Path envFile = Files.writeString(dir.resolve("prod.env"), String.join("\n",
                "APP_ENV=production", "POSTGRES_USER=dataland-admin", "POSTGRES_PASSWORD=" + rotated, "POSTGRES_DB=dataland",
                "GRAFANA_ADMIN_PASSWORD=g" + rotated,
                "AGENT_DB_PASSWORD=a" + rotated, "AUTH_DB_PASSWORD=b" + rotated, "MONITOR_DB_PASSWORD=m" + rotated,
                "DATABASE_URL=postgresql+asyncpg://dataland_agent:a" + rotated + "@dataland-postgres:5432/dataland",
                "AUTH_DATABASE_URL=postgresql://dataland_auth:b" + rotated + "@dataland-postgres:5432/dataland",
                // production closes signup unless a domain is allowed (SIGNUP_MODE): the test signs up there
                "SIGNUP_ALLOWED_DOMAINS=example.org", ""));
        // the helpers (API socket, health timer) are stopped by down: start them, and keep the images
        Ops.Result build = containers("build");
        assertEquals(0, build.exit(), build.all());
        Ops.Result deploy = deploy(envFile);
        assertEquals(0, deploy.exit(), deploy.all());
        assertTrue(deploy.stdout().contains("running check-env --production from the new dataland/agent:latest"), deploy.all());
        assertTrue(deploy.stdout().contains("deployed: dataland-postgres dataland-auth dataland-agent healthy"), deploy.all());
        HttpResponse<String> signup = post(authUrl("/auth/signup"), null,
                "{\"email\":\"deploy-" + UUID.randomUUID() + "@example.org\",\"password\":\"" + password + "\"}");
        assertEquals(201, signup.statusCode(), signup.body());
        HttpResponse<String> me = meOnceTheKeyIsKnown(token(signup.body()));
        assertEquals(200, me.statusCode(), me.body());
    }

    // --- helpers ---------------------------------------------------------------------------------------

    private Ops.Result deploy(Path envFile) throws IOException {
        Map<String, String> deployEnv = new HashMap<>(env);
        // docker = podman's own CLI, as podman-docker installs it. Not a Docker CLI talking to podman's
        // API socket: through that, `docker run --rm` reports exit 0 for a container that exited 1, and
        // the check-env guard would wave every .env through.
        Path shims = Files.createDirectories(dir.resolve("shims"));
        if (!Files.exists(shims.resolve("docker"))) {
            Files.createSymbolicLink(shims.resolve("docker"), Ops.requireTool("podman", "podman"));
        }
        deployEnv.put("PATH", shims + ":" + System.getenv("PATH"));
        deployEnv.put("COMPOSE", "docker-compose");
        deployEnv.put("DEPLOY_SERVICES", "postgres auth agent");
        deployEnv.put("DEPLOY_POLL_SECONDS", "2");
        deployEnv.put("DEPLOY_HEALTH_TIMEOUT", "240");
        deployEnv.put("POSTGRES_PUBLIC_BIND", "127.0.0.2");
        deployEnv.put("AUTH_PUBLIC_BIND", "127.0.0.2");
        deployEnv.put("AGENT_PUBLIC_BIND", "127.0.0.2");
        return Ops.run(List.of(Ops.composeDir().resolve("deploy.sh").toString(), "--env-file", envFile.toString()),
                Ops.root(), deployEnv, 1200);
    }

    private Ops.Result containers(String... args) {
        List<String> command = new ArrayList<>(List.of(Ops.root().resolve("bin/containers").toString()));
        command.addAll(List.of(args));
        return Ops.run(command, Ops.root(), env, 1500);
    }

    private Ops.Result podman(String... args) {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        return Ops.run(command, Ops.root(), Map.of("CONTAINERS_CONF", Ops.root().resolve("containers/containers.conf").toString()), 120);
    }

    private String inspect(String container, String format) {
        Ops.Result result = podman("inspect", "--format", format, container);
        assertEquals(0, result.exit(), result.all());
        return result.stdout().strip();
    }

    private String inspectImage(String image) {
        return podman("image", "inspect", "--format", "{{.Id}}", image).stdout().strip();
    }

    /** Until each is healthy ("unhealthy" is not final: a passing check turns it healthy again). */
    private void waitHealthy(List<String> containers, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        for (String container : containers) {
            String status;
            while (!(status = inspect(container, "{{.State.Health.Status}}")).equals("healthy")) {
                assertTrue(System.nanoTime() < deadline, container + " not healthy within " + seconds + " s: " + status
                        + "\n" + podman("logs", "--tail", "30", container).all());
                // the container's own check now rather than at its next 10 s interval (as bin/containers)
                podman("healthcheck", "run", container);
                Thread.sleep(1000);
            }
        }
    }

    /**
     * GET /v1/me until the agent knows the token's key. A just-booted agent may have timed out on its
     * first JWKS fetch (3 s) while auth was still cold; it refetches for an unknown kid at most once per
     * 30 s cooldown (JwksKeys), so the first answers can be 401 for up to that long.
     */
    private HttpResponse<String> meOnceTheKeyIsKnown(String token) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        HttpResponse<String> me;
        while ((me = get(agentUrl("/v1/me"), token)).statusCode() == 401 && System.nanoTime() < deadline) {
            Thread.sleep(5000);
        }
        return me;
    }

    private URI authUrl(String path) {
        return URI.create("http://127.0.0.1:" + env.get("AUTH_PORT") + path);
    }

    private URI agentUrl(String path) {
        return URI.create("http://127.0.0.1:" + env.get("AGENT_PORT") + path);
    }

    private HttpResponse<String> get(URI uri, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.GET().build());
    }

    private HttpResponse<String> post(URI uri, String token, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String token(String body) {
        Matcher matcher = TOKEN.matcher(body);
        assertTrue(matcher.find(), "no access_token in " + body);
        return matcher.group(1);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
