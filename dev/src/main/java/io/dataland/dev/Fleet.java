package io.dataland.dev;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.HaProxy;
import io.dataland.testkit.HostTool;
import io.dataland.testkit.PgBouncer;
import io.dataland.testkit.Ports;

/**
 * The scale-out topology on one machine, one command ({@code bin/fleet}): embedded PostgreSQL 16,
 * PgBouncer in transaction mode in front of it, the auth server, N agent replicas (default 3) booting at
 * once, and HAProxy on the agent's usual port in front of the replicas, health-checked. Prints the URLs
 * once HAProxy sees every replica up; Ctrl-C (or SIGTERM) stops HAProxy, the services, PgBouncer, then
 * PostgreSQL.
 *
 * <p>Every service reaches PostgreSQL through PgBouncer ({@code DB_POOL_MODE=transaction}); the agents
 * migrate on {@code MIGRATION_DATABASE_URL}, straight to PostgreSQL, because the migration lock is a
 * session lock. The fleet budget each replica checks at boot: {@code FLEET_REPLICAS x (DB_POOL_SIZE +
 * DB_MAX_OVERFLOW)} clients against PgBouncer's {@code max_client_conn}, its {@code FLEET_SERVER_CONNECTIONS}
 * against {@code max_connections}.
 *
 * <p>Settings (environment): {@code FLEET_REPLICAS} (3), {@code AGENT_PORT} (8000, HAProxy's),
 * {@code AUTH_PORT} (8001), {@code DEV_PG_PORT} (55432), {@code FLEET_BOUNCER_PORT} (6432),
 * {@code FLEET_SERVER_CONNECTIONS} (20), {@code DEV_DATA_DIR} ({@code .dev}; the fleet keeps its data in
 * {@code fleet/} under it). The replicas listen on free ports. Any variable of docs/api.md set in the
 * caller's environment is passed to the services and wins.
 */
public final class Fleet implements AutoCloseable {

    private static final java.util.logging.Logger ZONKY = java.util.logging.Logger.getLogger("io.zonky");
    static final String DATABASE = "dataland";

    /**
     * How to run a fleet.
     *
     * @param replicas          agent replicas
     * @param agentPort         HAProxy's port (0: a free one)
     * @param authPort          the auth server's port (0: a free one)
     * @param pgPort            PostgreSQL's port (0: a free one)
     * @param bouncerPort       PgBouncer's port (0: a free one)
     * @param serverConnections PgBouncer's {@code max_db_connections}
     * @param bouncer           services through PgBouncer (the fleet) or straight to PostgreSQL (benchmark baseline)
     * @param state             data directory ({@code pgdata/}, {@code auth-data/}, process logs)
     * @param keepData          keep PostgreSQL's data across runs (the launcher) or not (tests)
     * @param echo              copy the children's output to this process's (the launcher) or only to logs
     * @param env               extra environment for the services (wins over the fleet's)
     */
    public record Options(int replicas, int agentPort, int authPort, int pgPort, int bouncerPort,
                          int serverConnections, boolean bouncer, Path state, boolean keepData, boolean echo, Map<String, String> env) {
    }

    private final Path root;
    private final Options options;
    private final Path pgBouncerExe;
    private final Path haproxyExe;
    private EmbeddedPg pg;
    private int pgPort;
    private PgBouncer bouncer;
    private HaProxy haproxy;
    private Process auth;
    private int authPort;
    private final List<Process> agents = new ArrayList<>();
    private final List<Integer> agentPorts = new ArrayList<>();
    private Map<String, String> serviceEnv;

    private Fleet(Path root, Options options, Path pgBouncerExe, Path haproxyExe) {
        this.root = root;
        this.options = options;
        this.pgBouncerExe = pgBouncerExe;
        this.haproxyExe = haproxyExe;
    }

    /** Entry point of {@code bin/fleet}: start, print the URLs, wait for a signal. */
    public static void main(String[] args) throws Exception {
        ZONKY.setLevel(java.util.logging.Level.WARNING);
        Path root = Path.of(System.getProperty("dataland.root", ".")).toAbsolutePath().normalize();
        Map<String, String> env = System.getenv();
        Path state = Path.of(env.getOrDefault("DEV_DATA_DIR", root.resolve(".dev").toString())).resolve("fleet");
        Map<String, String> passed = new HashMap<>(env);
        passed.keySet().removeIf(k -> k.startsWith("DEV_") || k.startsWith("FLEET_"));
        Options options = new Options(intEnv(env, "FLEET_REPLICAS", 3), intEnv(env, "AGENT_PORT", 8000),
                intEnv(env, "AUTH_PORT", 8001), intEnv(env, "DEV_PG_PORT", 55432), intEnv(env, "FLEET_BOUNCER_PORT", 6432),
                intEnv(env, "FLEET_SERVER_CONNECTIONS", 20), true, state, true, true, passed);
        CountDownLatch stopped = new CountDownLatch(1);
        Fleet[] fleet = new Fleet[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (fleet[0] != null) {
                fleet[0].close();
            }
            stopped.countDown();
        }, "fleet-shutdown"));
        try {
            fleet[0] = start(root, options);
            Fleet f = fleet[0];
            System.out.println();
            System.out.println("Dataland fleet is up (Ctrl-C stops it):");
            System.out.println("  agent     " + f.agentUrl() + "   (HAProxy over " + options.replicas() + " replicas on ports "
                    + f.agentPorts() + ")");
            System.out.println("  auth      " + f.authUrl());
            System.out.println("  pgbouncer postgresql://" + EmbeddedPg.APP_USER + "@127.0.0.1:" + f.bouncer().port() + "/" + DATABASE
                    + "   (transaction pooling, " + options.serverConnections() + " server connections)");
            System.out.println("  postgres  postgresql://" + EmbeddedPg.APP_USER + "@127.0.0.1:" + f.pgPort + "/" + DATABASE);
            System.out.println();
        } catch (RuntimeException e) {
            System.err.println("fleet: " + e.getMessage());
            System.exit(1);
        }
        stopped.await();
    }

    /** Starts everything; returns once HAProxy reports every replica up. */
    public static Fleet start(Path root, Options options) {
        Path bouncerExe = HostTool.find("pgbouncer").orElseThrow(() ->
                new IllegalStateException("pgbouncer is not installed (Debian: apt-get install pgbouncer)"));
        Path haproxyExe = HostTool.find("haproxy").orElseThrow(() ->
                new IllegalStateException("haproxy is not installed (Debian: apt-get install haproxy)"));
        Fleet fleet = new Fleet(root, options, bouncerExe, haproxyExe);
        try {
            fleet.startAll();
            return fleet;
        } catch (IOException | RuntimeException e) {
            fleet.close();
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
        } catch (InterruptedException e) {
            fleet.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void startAll() throws IOException, InterruptedException {
        Files.createDirectories(options.state());
        pgPort = options.pgPort() > 0 ? options.pgPort() : Ports.free();
        startPostgres();
        if (options.bouncer()) {
            log("pgbouncer: transaction pooling, " + options.serverConnections() + " server connections");
            bouncer = PgBouncer.start(pgBouncerExe, options.state().resolve("pgbouncer"), options.bouncerPort(), pg, DATABASE,
                    new PgBouncer.Config("transaction", options.serverConnections(), options.serverConnections(), 2000));
        }
        authPort = options.authPort() > 0 ? options.authPort() : Ports.free();
        int poolSize = 5;
        int overflow = 10;
        serviceEnv = new HashMap<>();
        if (options.bouncer()) {
            serviceEnv.put("DATABASE_URL", bouncer.databaseUrl(pg, DATABASE));
            serviceEnv.put("MIGRATION_DATABASE_URL", pg.databaseUrl(DATABASE));
            serviceEnv.put("DB_POOL_MODE", "transaction");
        } else {
            serviceEnv.put("DATABASE_URL", pg.databaseUrl(DATABASE));
            serviceEnv.put("DB_POOL_MODE", "direct");
        }
        serviceEnv.put("DB_BOUNCER_MAX_CLIENT_CONN", "2000");
        serviceEnv.put("DB_BOUNCER_SERVER_CONNECTIONS", Integer.toString(options.serverConnections()));
        serviceEnv.put("DB_POOL_SIZE", Integer.toString(poolSize));
        serviceEnv.put("DB_MAX_OVERFLOW", Integer.toString(overflow));
        serviceEnv.put("DB_EXPECTED_INSTANCES", Integer.toString(options.replicas()));
        serviceEnv.put("AUTH_PORT", Integer.toString(authPort));
        serviceEnv.put("AUTH_DATA_DIR", options.state().resolve("auth-data").toString());
        serviceEnv.put("AUTH_JWKS_URL", authUrl() + "/.well-known/jwks.json");
        serviceEnv.put("BIND_HOST", "127.0.0.1");
        serviceEnv.putAll(options.env());

        Map<String, String> authEnv = new HashMap<>(serviceEnv);
        authEnv.put("DB_EXPECTED_INSTANCES", "1");
        auth = launch("auth", List.of(), authEnv);
        waitHealthy("auth", auth, authPort);
        // the replicas boot at once: the migration lock makes one of them migrate, the others wait for it
        List<Process> booting = new ArrayList<>();
        for (int i = 1; i <= options.replicas(); i++) {
            booting.add(startReplica(i));
        }
        for (int i = 0; i < booting.size(); i++) {
            waitHealthy("agent" + (i + 1), booting.get(i), agentPorts.get(i));
        }
        int proxyPort = options.agentPort() > 0 ? options.agentPort() : Ports.free();
        haproxy = HaProxy.start(haproxyExe, options.state().resolve("haproxy"), proxyPort, agentPorts);
        awaitProxy(Duration.ofSeconds(60), "UP");
        log("haproxy: " + agentUrl() + " over " + options.replicas() + " healthy replicas");
    }

    private Process startReplica(int n) throws IOException {
        int port = Ports.free();
        Map<String, String> env = new HashMap<>(serviceEnv);
        env.put("AGENT_PORT", Integer.toString(port));
        env.put("OTEL_SERVICE_NAME", "dataland-agent-" + n);
        Process process = launch("agent" + n, List.of(), env);
        agents.add(process);
        agentPorts.add(port);
        return process;
    }

    private void startPostgres() {
        Path dataDir = options.keepData() ? options.state().resolve("pgdata") : null;
        log("postgres: PostgreSQL 16 on 127.0.0.1:" + pgPort);
        // max_connections as compose.yml: the fleet budget is checked against it
        pg = EmbeddedPg.start(dataDir, pgPort, Map.of("max_connections", "100"), "dataland");
        pg.createDatabase(DATABASE);
    }

    /**
     * Stops PostgreSQL and starts it again on the same port (same data when kept; the test fleet's
     * throw-away directory is lost, so tests restart a kept-data fleet only). PgBouncer stays up.
     */
    public void restartPostgres(Duration down) throws InterruptedException {
        pg.close();
        Thread.sleep(down.toMillis());
        startPostgres();
    }

    /** Waits until HAProxy reports every replica in {@code state} ({@code UP}); fails after {@code limit}. */
    public void awaitProxy(Duration limit, String state) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Map<String, String> states = Map.of();
        while (System.nanoTime() < deadline) {
            states = haproxy.serverStates();
            if (states.size() == agents.size() && states.values().stream().allMatch(state::equals)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("HAProxy does not see every replica " + state + " within " + limit.toSeconds()
                + " s: " + states);
    }

    private Process launch(String name, List<String> args, Map<String, String> environment) throws IOException {
        String service = name.startsWith("agent") ? "agent" : "auth";
        Path jar = root.resolve(service).resolve("target").resolve(service + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./mvnw -DskipTests package)");
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(Stack.jvmOptions(root, service));
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.contains("DATABASE_URL"));
        builder.environment().putAll(environment);
        Path logFile = options.state().resolve(name + ".log");
        if (!options.echo()) {
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        }
        Process process = builder.start();
        if (options.echo()) {
            pump(name, process.getInputStream());
        }
        log(name + ": started (pid " + process.pid() + ")");
        return process;
    }

    /** Runs {@code java -jar auth.jar ARGS} with the auth server's environment (e.g. {@code rotate-keys}); its exit code. */
    public int authCommand(String... args) throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>(serviceEnv);
        env.put("AUTH_PORT", "0");
        Process p = launch("auth-" + args[0], List.of(args), env);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("auth " + String.join(" ", args) + " did not finish within 120 s");
        }
        return p.exitValue();
    }

    private void waitHealthy(String name, Process process, int port) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + " (see "
                        + (options.echo() ? "its output above" : options.state().resolve(name + ".log")) + ")");
            }
            try {
                HttpResponse<Void> res = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (res.statusCode() == 200) {
                    log(name + ": healthy on port " + port);
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " not healthy within 180 s");
    }

    private static void pump(String name, InputStream in) {
        Thread.ofVirtual().name(name + "-log").start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    System.out.println("[" + name + "] " + line);
                }
            } catch (IOException e) {
                // the child is gone
            }
        });
    }

    /** HAProxy's URL, the fleet's agent endpoint. */
    public String agentUrl() {
        return haproxy.url();
    }

    /** The auth server's URL. */
    public String authUrl() {
        return "http://127.0.0.1:" + authPort;
    }

    /** Each replica's own port, replica 1 first. */
    public List<Integer> agentPorts() {
        return List.copyOf(agentPorts);
    }

    /** Each replica's process, replica 1 first. */
    public List<Process> agents() {
        return List.copyOf(agents);
    }

    /** PostgreSQL. */
    public EmbeddedPg postgres() {
        return pg;
    }

    /** PgBouncer. */
    public PgBouncer bouncer() {
        return bouncer;
    }

    /** HAProxy. */
    public HaProxy haproxy() {
        return haproxy;
    }

    /** Stops HAProxy, the replicas and auth (SIGTERM, SIGKILL after 15 s), PgBouncer, then PostgreSQL. */
    @Override
    public synchronized void close() {
        if (haproxy != null) {
            haproxy.close();
            haproxy = null;
        }
        List<Process> services = new ArrayList<>(agents);
        if (auth != null) {
            services.add(auth);
        }
        services.forEach(Process::destroy);
        for (Process p : services) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        agents.clear();
        auth = null;
        if (bouncer != null) {
            bouncer.close();
            bouncer = null;
        }
        if (pg != null) {
            log("postgres: stopping");
            pg.close();
            pg = null;
        }
    }

    private static int intEnv(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
    }

    private void log(String line) {
        if (options.echo()) {
            System.out.println("[fleet] " + line);
        }
    }
}
