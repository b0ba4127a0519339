package io.dataland.dev;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import io.dataland.testkit.EmbeddedPg;

/**
 * Auth login benchmark: the login rate of a real auth server against the raw Argon2id rate of the same
 * machine, in one run. The auth server runs as a child process with the dev stack's JVM options
 * ({@link Stack#jvmOptions}: auth/jvm.options, as its image) against an embedded PostgreSQL 16; {@code BENCH_CLIENTS} (16) keep-alive
 * connections, one account each, log in. Then {@code BENCH_ROUNDS} (3) rounds alternate a raw phase
 * (password4j Argon2id, m=64 MiB, t=3, p=4, one hashing thread per core, in this JVM, the server idle)
 * with a login phase, {@code BENCH_SECONDS} (15) each, so drift in background load hits both alike.
 * Prints hashes/s, logins/s, p50/p99, non-200 answers, the server's peak RSS (VmHWM), the ratio, and
 * the CPU time per raw hash against the server's CPU time per login (robust to other load).
 *
 * <pre>
 * ./mvnw -q -B -pl dev -am package -DskipTests
 * java -Ddataland.root=$PWD @auth/jvm.options \
 *      -cp dev/target/dev.jar io.dataland.dev.AuthBench
 * </pre>
 */
public final class AuthBench {

    // held: a logger configured only through a local is collected with its level
    private static final java.util.logging.Logger ZONKY = java.util.logging.Logger.getLogger("io.zonky");
    private static final Argon2Function ARGON2ID = Argon2Function.getInstance(65536, 3, 4, 32, Argon2.ID, 19);

    private AuthBench() {
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        ZONKY.setLevel(java.util.logging.Level.WARNING);
        Path root = Path.of(System.getProperty("dataland.root", ".")).toAbsolutePath().normalize();
        int cores = Runtime.getRuntime().availableProcessors();
        int clients = intEnv("BENCH_CLIENTS", 16);
        int rounds = intEnv("BENCH_ROUNDS", 3);
        Duration phase = Duration.ofSeconds(intEnv("BENCH_SECONDS", 15));
        System.setProperty("ot.epg.working-dir", root.resolve(".dev/epg").toString());
        System.out.printf("auth bench: %d cores, %d clients, %d rounds of (raw %d s, login %d s), bench JVM heap %d MiB%n",
                cores, clients, rounds, phase.toSeconds(), phase.toSeconds(), Runtime.getRuntime().maxMemory() >> 20);

        try (EmbeddedPg pg = EmbeddedPg.start(null, 0, Map.of("max_connections", "100"), "bench-secret")) {
            pg.createDatabase("bench");
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Process auth = launchAuth(root, pg.databaseUrl("bench"), port, Files.createTempDirectory("auth-bench-data"));
            try {
                String base = "http://127.0.0.1:" + port;
                waitHealthy(base, auth);
                List<HttpClient> connections = signUp(base, clients);
                ExecutorService hashers = Executors.newFixedThreadPool(cores);
                ExecutorService loginPool = Executors.newFixedThreadPool(clients);
                try {
                    run(hashers, cores, Duration.ofSeconds(3)); // warm-up, both sides
                    phase(loginPool, connections, base, System.nanoTime() + Duration.ofSeconds(5).toNanos(), null, null);
                    // alternating rounds, so drift in background load hits both measurements alike
                    long hashes = 0;
                    double hashSeconds = 0;
                    long hashCpu = 0;
                    long loginCpu = 0;
                    long logins = 0;
                    double loginSeconds = 0;
                    List<long[]> latencies = new ArrayList<>();
                    Map<Integer, Long> failed = new java.util.concurrent.ConcurrentHashMap<>();
                    for (int round = 1; round <= rounds; round++) {
                        long c0 = cpuNanos(ProcessHandle.current());
                        long t0 = System.nanoTime();
                        long h = run(hashers, cores, phase);
                        double hs = (System.nanoTime() - t0) / 1e9;
                        hashCpu += cpuNanos(ProcessHandle.current()) - c0;
                        long c1 = cpuNanos(auth.toHandle());
                        long t1 = System.nanoTime();
                        long l = phase(loginPool, connections, base, t1 + phase.toNanos(), latencies, failed);
                        double ls = (System.nanoTime() - t1) / 1e9;
                        loginCpu += cpuNanos(auth.toHandle()) - c1;
                        System.out.printf("round %d: raw %.2f hashes/s, login %.2f logins/s%n", round, h / hs, l / ls);
                        hashes += h;
                        hashSeconds += hs;
                        logins += l;
                        loginSeconds += ls;
                    }
                    long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
                    double raw = hashes / hashSeconds;
                    double rate = logins / loginSeconds;
                    System.out.printf("raw password4j Argon2id on %d threads: %.2f hashes/s (%d in %.0f s)%n",
                            cores, raw, hashes, hashSeconds);
                    System.out.printf("login at %d connections: %.2f logins/s (%d ok, other answers by status %s),"
                            + " p50 %.0f ms, p99 %.0f ms%n", clients, rate, logins, failed,
                            percentile(all, 0.50) / 1e6, percentile(all, 0.99) / 1e6);
                    System.out.printf("auth JVM (%s): peak RSS %d MiB, RSS now %d MiB%n",
                            String.join(" ", Stack.jvmOptions(root, "auth")), procStatus(auth.pid(), "VmHWM") >> 10,
                            procStatus(auth.pid(), "VmRSS") >> 10);
                    System.out.printf("ratio login throughput / raw hash rate: %.3f (goal >= 0.9)%n", rate / raw);
                    // CPU time is much less sensitive than wall time to other processes on a shared machine
                    double cpuPerHash = hashCpu / 1e6 / hashes;
                    double cpuPerLogin = loginCpu / 1e6 / logins;
                    System.out.printf("CPU per raw hash %.0f ms, auth server CPU per login %.0f ms: efficiency %.3f%n",
                            cpuPerHash, cpuPerLogin, cpuPerHash / cpuPerLogin);
                } finally {
                    hashers.shutdown();
                    loginPool.shutdown();
                }
            } finally {
                auth.destroy();
                if (!auth.waitFor(15, TimeUnit.SECONDS)) {
                    auth.destroyForcibly();
                }
            }
        }
        System.exit(0);
    }

    /** Hashes done by {@code threads} threads hashing flat out for {@code duration}. */
    private static long run(ExecutorService pool, int threads, Duration duration) throws Exception {
        long deadline = System.nanoTime() + duration.toNanos();
        List<Future<Long>> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            workers.add(pool.submit(() -> {
                long n = 0;
                while (System.nanoTime() < deadline) {
                    Password.hash("bench password " + n).addRandomSalt(16).with(ARGON2ID);
                    n++;
                }
                return n;
            }));
        }
        long total = 0;
        for (Future<Long> w : workers) {
            total += w.get();
        }
        return total;
    }

    /** One keep-alive connection and one account per client. */
    private static List<HttpClient> signUp(String base, int clients) throws Exception {
        List<HttpClient> connections = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            connections.add(client);
            int status = post(client, base + "/auth/signup", body(i)).statusCode();
            if (status != 201) {
                throw new IllegalStateException("signup answered " + status);
            }
        }
        return connections;
    }

    private static long phase(ExecutorService pool, List<HttpClient> connections, String base, long deadline,
                              List<long[]> latencies, Map<Integer, Long> failed) throws Exception {
        List<Future<long[]>> workers = new ArrayList<>();
        for (int i = 0; i < connections.size(); i++) {
            HttpClient client = connections.get(i);
            String body = body(i);
            workers.add(pool.submit(() -> {
                long[] times = new long[100_000];
                int n = 0;
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    int status = post(client, base + "/auth/login", body).statusCode();
                    long took = System.nanoTime() - t0;
                    if (status == 200) {
                        times[n++] = took;
                    } else if (failed != null) {
                        failed.merge(status, 1L, Long::sum);
                    }
                }
                return Arrays.copyOf(times, n);
            }));
        }
        long ok = 0;
        for (Future<long[]> w : workers) {
            long[] times = w.get();
            ok += times.length;
            if (latencies != null) {
                latencies.add(times);
            }
        }
        return ok;
    }

    private static String body(int i) {
        return "{\"email\":\"bench" + i + "@example.org\",\"password\":\"bench password " + i + "\"}";
    }

    private static HttpResponse<String> post(HttpClient client, String url, String json) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static Process launchAuth(Path root, String databaseUrl, int port, Path dataDir) throws IOException {
        Path jar = root.resolve("auth/target/auth.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: ./mvnw -pl dev -am package -DskipTests first");
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(Stack.jvmOptions(root, "auth"));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(root.resolve("auth/target/auth-bench.log").toFile());
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", databaseUrl);
        env.put("AUTH_PORT", Integer.toString(port));
        env.put("BIND_HOST", "127.0.0.1");
        env.put("AUTH_DATA_DIR", dataDir.toString());
        env.put("LOGIN_LOCK_ACCOUNT_FAILURES", "1000000");
        env.put("LOGIN_LOCK_ADDRESS_FAILURES", "1000000");
        builder.environment().putAll(env);
        return builder.start();
    }

    private static void waitHealthy(String base, Process auth) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!auth.isAlive()) {
                throw new IllegalStateException("auth exited with " + auth.exitValue() + " (see auth/target/auth-bench.log)");
            }
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(base + "/observe/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("auth not healthy within 90 s");
    }

    /** User + system CPU time of {@code process} so far. */
    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos)
                .orElseThrow(() -> new IllegalStateException("no CPU time for pid " + process.pid()));
    }

    /** A {@code kB} value from {@code /proc/PID/status}. */
    static long procStatus(long pid, String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static int intEnv(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
    }
}
