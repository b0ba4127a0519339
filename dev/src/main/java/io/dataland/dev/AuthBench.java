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
 * Auth login benchmark. In one run: (1) the raw password4j Argon2id rate (m=64 MiB, t=3, p=4, the
 * auth server's parameters) with one hashing thread per core, in this JVM; (2) the auth server as a
 * child process with the dev stack's JVM options against an embedded PostgreSQL 16, driven by
 * {@code BENCH_CLIENTS} (16) concurrent keep-alive connections logging in for {@code BENCH_SECONDS}
 * (30): logins/s, p50, p99, the child's peak RSS (VmHWM); (3) the raw rate again, once the server has
 * stopped; and logins/s divided by the mean of the two raw rates.
 *
 * <pre>
 * mvn -q -B -o -pl dev -am package -DskipTests
 * java -Ddataland.root=$PWD -Xms768m -Xmx768m -XX:+AlwaysPreTouch -XX:+UseSerialGC \
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
        int seconds = intEnv("BENCH_SECONDS", 30);
        System.setProperty("ot.epg.working-dir", root.resolve(".dev/epg").toString());

        System.out.printf("auth bench: %d cores, %d clients, %d s per phase, bench JVM max heap %d MiB%n",
                cores, clients, seconds, Runtime.getRuntime().maxMemory() >> 20);
        Duration rawPhase = Duration.ofSeconds(Math.max(10, seconds / 2));
        double rawBefore = rawHashRate(cores, rawPhase);
        System.out.printf("raw password4j Argon2id (before): %.2f hashes/s on %d threads%n", rawBefore, cores);

        try (EmbeddedPg pg = EmbeddedPg.start(null, 0, Map.of("max_connections", "100"), "bench-secret")) {
            pg.createDatabase("bench");
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path dataDir = Files.createTempDirectory("auth-bench-data");
            Process auth = launchAuth(root, pg.databaseUrl("bench"), port, dataDir);
            Result result;
            try {
                String base = "http://127.0.0.1:" + port;
                waitHealthy(base, auth);
                result = loginLoad(base, clients, Duration.ofSeconds(seconds));
                long peakRssKb = procStatus(auth.pid(), "VmHWM");
                long rssKb = procStatus(auth.pid(), "VmRSS");
                System.out.printf("login: %.2f logins/s (%d ok, other answers by status %s) at %d connections, p50 %.0f ms,"
                                + " p99 %.0f ms%n", result.rate(), result.ok(), result.failed(), clients,
                        result.p50Millis(), result.p99Millis());
                System.out.printf("auth JVM (%s): peak RSS %d MiB, RSS now %d MiB%n",
                        String.join(" ", Stack.jvmOptions("auth")), peakRssKb >> 10, rssKb >> 10);
            } finally {
                auth.destroy();
                if (!auth.waitFor(15, TimeUnit.SECONDS)) {
                    auth.destroyForcibly();
                }
            }
            // measured again after the login phase: the mean of both brackets drift in background load
            double rawAfter = rawHashRate(cores, rawPhase);
            double raw = (rawBefore + rawAfter) / 2;
            System.out.printf("raw password4j Argon2id (after): %.2f hashes/s; mean %.2f%n", rawAfter, raw);
            System.out.printf("ratio login throughput / raw hash rate: %.3f (goal >= 0.9)%n", result.rate() / raw);
        }
        System.exit(0);
    }

    /** Hashes per second with {@code threads} threads hashing flat out (after a short warm-up). */
    static double rawHashRate(int threads, Duration duration) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            run(pool, threads, Duration.ofSeconds(3));
            long start = System.nanoTime();
            long hashes = run(pool, threads, duration);
            return hashes / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdown();
        }
    }

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

    record Result(double rate, long ok, Map<Integer, Long> failed, double p50Millis, double p99Millis) {
    }

    /** {@code clients} threads, each with its own connection and account, logging in until the time is up. */
    static Result loginLoad(String base, int clients, Duration duration) throws Exception {
        List<HttpClient> connections = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            connections.add(client);
            int status = post(client, base + "/auth/signup", body(i)).statusCode();
            if (status != 201) {
                throw new IllegalStateException("signup answered " + status);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            // warm-up: every connection logs in twice
            phase(pool, connections, base, System.nanoTime() + Duration.ofSeconds(5).toNanos(), null, null);
            Map<Integer, Long> failed = new java.util.concurrent.ConcurrentHashMap<>();
            List<long[]> latencies = new ArrayList<>();
            long start = System.nanoTime();
            long ok = phase(pool, connections, base, start + duration.toNanos(), latencies, failed);
            double elapsed = (System.nanoTime() - start) / 1e9;
            long[] all = latencies.stream().flatMapToLong(Arrays::stream).filter(v -> v > 0).sorted().toArray();
            return new Result(ok / elapsed, ok, Map.copyOf(failed), percentile(all, 0.50) / 1e6, percentile(all, 0.99) / 1e6);
        } finally {
            pool.shutdown();
        }
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
            throw new IllegalStateException(jar + " is missing: mvn -pl dev -am package -DskipTests first");
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(Stack.jvmOptions("auth"));
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
