package io.dataland.dev;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.dataland.testkit.EmbeddedPg;

/**
 * The one-command development stack: embedded PostgreSQL 16 with its data under {@code .dev/pgdata}
 * (kept across restarts), then the auth server and the agent as child processes against it. Prints
 * both URLs once both are healthy; Ctrl-C (or SIGTERM) stops the services, then PostgreSQL.
 *
 * <p>Defaults: PostgreSQL on {@code DEV_PG_PORT} (55432), auth on {@code AUTH_PORT} (8001), agent on
 * {@code AGENT_PORT} (8000), state under {@code DEV_DATA_DIR} ({@code .dev}: {@code pgdata/},
 * {@code auth-data/} as {@code AUTH_DATA_DIR}), {@code AUTH_JWKS_URL} the local auth server. Any
 * variable already set in the caller's environment wins.
 */
public final class Stack implements AutoCloseable {

    // zonky logs every PostgreSQL start-up line at INFO; the stack prints its own summary
    private static final java.util.logging.Logger ZONKY = java.util.logging.Logger.getLogger("io.zonky");

    private final Path root;
    private final Map<String, String> env;
    private final List<Process> children = new ArrayList<>();
    private EmbeddedPg pg;

    Stack(Path root, Map<String, String> env) {
        this.root = root;
        this.env = env;
    }

    /** Entry point: start, print the URLs, wait for a signal. */
    public static void main(String[] args) throws Exception {
        ZONKY.setLevel(java.util.logging.Level.WARNING);
        Path root = Path.of(System.getProperty("dataland.root", ".")).toAbsolutePath().normalize();
        Stack stack = new Stack(root, System.getenv());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "stack-shutdown"));
        try {
            Urls urls = stack.start();
            System.out.println();
            System.out.println("Dataland stack is up (Ctrl-C stops it):");
            System.out.println("  agent     " + urls.agent() + "   (health: " + urls.agent() + "/observe/health)");
            System.out.println("  auth      " + urls.auth() + "   (staff login: " + urls.auth() + "/login)");
            System.out.println("  postgres  " + urls.database());
            System.out.println();
        } catch (RuntimeException e) {
            System.err.println("stack: " + e.getMessage());
            System.exit(1);
        }
        stopped.await();
    }

    /** Where the services answer. */
    public record Urls(String agent, String auth, String database) {
    }

    /** Starts PostgreSQL, auth and agent; returns once both services report healthy. */
    public Urls start() throws IOException, InterruptedException {
        int pgPort = intEnv("DEV_PG_PORT", 55432);
        String password = env.getOrDefault("DEV_PG_PASSWORD", "dataland");
        Path state = Path.of(env.getOrDefault("DEV_DATA_DIR", root.resolve(".dev").toString()));
        Path dataDir = state.resolve("pgdata");
        System.setProperty("ot.epg.working-dir", root.resolve(".dev/epg").toString());
        log("postgres: starting PostgreSQL 16 on 127.0.0.1:" + pgPort + " (data in " + dataDir
                + (Files.exists(dataDir.resolve("PG_VERSION")) ? ", reused" : ", new") + ")");
        pg = EmbeddedPg.start(dataDir, pgPort, Map.of("max_connections", "100"), password); // as compose.yml
        pg.createDatabase("dataland");
        String dbUrl = pg.databaseUrl("dataland");

        int authPort = intEnv("AUTH_PORT", 8001);
        int agentPort = intEnv("AGENT_PORT", 8000);
        String auth = "http://127.0.0.1:" + authPort;
        String agent = "http://127.0.0.1:" + agentPort;
        Map<String, String> common = new HashMap<>();
        common.put("DATABASE_URL", dbUrl);
        common.put("AUTH_PORT", Integer.toString(authPort));
        common.put("AGENT_PORT", Integer.toString(agentPort));
        common.put("AUTH_DATA_DIR", state.resolve("auth-data").toString());
        common.put("AUTH_JWKS_URL", auth + "/.well-known/jwks.json");
        common.put("BIND_HOST", "127.0.0.1");
        env.forEach(common::put); // the caller's environment wins
        common.keySet().removeIf(k -> k.startsWith("DEV_"));

        children.add(launch("auth", common));
        waitHealthy("auth", auth, Duration.ofSeconds(90));
        children.add(launch("agent", common));
        waitHealthy("agent", agent, Duration.ofSeconds(90));
        return new Urls(agent, auth, "postgresql://" + EmbeddedPg.APP_USER + "@127.0.0.1:" + pgPort + "/dataland");
    }

    private Process launch(String service, Map<String, String> environment) throws IOException, InterruptedException {
        Path jar = root.resolve(service).resolve("target").resolve(service + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./mvnw -DskipTests package)");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        if ("agent".equals(service) && !AgentAot.current(root, java)) {
            log("agent: training its AOT cache (once per build: " + AgentAot.cache(root) + ")");
            AgentAot.train(root, java, pg);
        }
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions(root, service));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.environment().putIfAbsent("MALLOC_ARENA_MAX", MALLOC_ARENA_MAX);
        Process process = builder.start();
        pump(service, process.getInputStream());
        log(service + ": started (pid " + process.pid() + ")");
        return process;
    }

    /**
     * The services' JVM options outside a container. Auth's are {@code auth/jvm.options}, the file its
     * image, its tests and this stack share: a small heap, since libargon2 hashes off the heap (LibArgon2).
     * Without the library (or with ARGON2_IMPL=java) password4j hashes on the heap and needs its 64 MiB
     * template plus 64 MiB per hash in flight: a larger -Xmx follows the file's (the last one wins).
     * The agent's are {@code agent/jvm.options}, shared with its image the same way, plus its AOT cache
     * when a current one is next to the jar ({@link AgentAot}; the stack trains it on its first start).
     */
    public static List<String> jvmOptions(Path root, String service) {
        if (!"auth".equals(service)) {
            List<String> options = new ArrayList<>(argFile(root.resolve("agent/jvm.options")));
            if (AgentAot.current(root, ProcessHandle.current().info().command().orElse("java"))) {
                options.add("-XX:AOTCache=" + AgentAot.cache(root));
            }
            return options;
        }
        List<String> options = new ArrayList<>(argFile(root.resolve("auth/jvm.options")));
        if (!nativeArgon2(System.getenv())) {
            options.addAll(AUTH_FALLBACK_HEAP);
        }
        return options;
    }

    /**
     * glibc malloc arenas for both services, as their Dockerfiles: auth ~10 MiB less RSS idle and after a
     * login flood; the agent no change at idle, kept for the RSS after load (docs/benchmarks.md).
     */
    static final String MALLOC_ARENA_MAX = "2";
    /** Auth's heap for the password4j fallback: room for the template and two hashes at once. */
    static final List<String> AUTH_FALLBACK_HEAP = List.of("-Xmx512m");

    /**
     * Whether auth will hash through libargon2: not forced to Java, and the library at one of the places
     * LibArgon2.CANDIDATES names (the dynamic loader finds it there too).
     */
    static boolean nativeArgon2(Map<String, String> env) {
        if ("java".equalsIgnoreCase(env.getOrDefault("ARGON2_IMPL", "auto").strip())) {
            return false;
        }
        return java.util.stream.Stream.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                        "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib")
                .anyMatch(dir -> Files.exists(Path.of(dir, "libargon2.so.1")))
                || Files.exists(Path.of("/opt/homebrew/lib/libargon2.1.dylib"));
    }

    /** The options of a java @argfile as simple as ours: one or more per line, {@code #} starts a comment. */
    public static List<String> argFile(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(line -> line.replaceFirst("#.*", "").strip())
                    .filter(line -> !line.isEmpty())
                    .flatMap(line -> Arrays.stream(line.split("\\s+")))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JVM options " + file, e);
        }
    }

    private static void pump(String service, InputStream in) {
        Thread.ofVirtual().name(service + "-log").start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    System.out.println("[" + service + "] " + line);
                }
            } catch (IOException e) {
                // the child is gone
            }
        });
    }

    private void waitHealthy(String service, String base, Duration limit) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + limit.toNanos();
        Process process = children.getLast();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(service + " exited with code " + process.exitValue() + " (see its log above)");
            }
            try {
                HttpResponse<Void> res = client.send(HttpRequest.newBuilder(URI.create(base + "/observe/health"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding());
                if (res.statusCode() == 200) {
                    log(service + ": healthy at " + base);
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(service + " not healthy within " + limit.toSeconds() + " s");
    }

    /** Stops the services (SIGTERM, then SIGKILL after 30 s: past the agent's 20 s drain), then PostgreSQL. */
    @Override
    public synchronized void close() {
        for (Process p : children.reversed()) {
            p.destroy();
        }
        for (Process p : children.reversed()) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        children.clear();
        if (pg != null) {
            log("postgres: stopping");
            pg.close();
            pg = null;
        }
    }

    /** The child processes (agent last), for tests. */
    List<Process> children() {
        return List.copyOf(children);
    }

    private int intEnv(String name, int fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
    }

    private static void log(String line) {
        System.out.println("[stack] " + line);
    }
}
