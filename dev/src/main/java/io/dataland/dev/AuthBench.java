package io.dataland.dev;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.dataland.testkit.EmbeddedPg;

/**
 * Auth login benchmark against the reference implementation, in one run: a real auth server (child
 * process, the dev stack's JVM options from {@link Stack#jvmOptions}, embedded PostgreSQL 16) next to
 * {@code python3-argon2} (argon2-cffi over libargon2, the C reference) verifying the same Argon2id
 * (m=64 MiB, t=3, p=4). In order:
 * <ol>
 * <li>idle RSS {@code BENCH_IDLE_SECONDS} (30) after the server is healthy;</li>
 * <li>single login p50 at no load against one reference verify p50 ({@code BENCH_SINGLE}, 15 each);</li>
 * <li>unknown email against wrong password, interleaved (medians and ratio);</li>
 * <li>{@code BENCH_ROUNDS} (2) rounds alternating the reference's verify rate on {@code BENCH_CLIENTS}
 *     (16) threads with the server's login rate on as many keep-alive connections, {@code BENCH_SECONDS}
 *     (10) each, so drift in background load hits both alike; CPU per verify and per login;</li>
 * <li>a flood: {@code BENCH_FLOOD_CLIENTS} (64) connections for {@code BENCH_FLOOD_SECONDS} (20):
 *     logins, answers by status (a 503's {@code Retry-After} is honoured), client timeouts (30 s), p50,
 *     peak RSS sampled every 50 ms and VmHWM;</li>
 * <li>RSS again after {@code BENCH_IDLE_SECONDS} idle.</li>
 * </ol>
 * {@code bin/bench-auth signup-flood} measures instead what a signup flood does to logins ({@link #signupFlood}).
 * {@code AUTH_JAR} and {@code AUTH_JVM_OPTIONS} (space separated) run another build or other flags (the
 * "before" figures); {@code ARGON2_IMPL} and {@code MALLOC_ARENA_MAX} reach the server. See bin/bench-auth.
 */
public final class AuthBench {

    // held: a logger configured only through a local is collected with its level
    private static final java.util.logging.Logger ZONKY = java.util.logging.Logger.getLogger("io.zonky");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    private AuthBench() {
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        ZONKY.setLevel(java.util.logging.Level.WARNING);
        Path root = Path.of(System.getProperty("dataland.root", ".")).toAbsolutePath().normalize();
        int clients = intEnv("BENCH_CLIENTS", 16);
        int rounds = intEnv("BENCH_ROUNDS", 2);
        int seconds = intEnv("BENCH_SECONDS", 10);
        int floodClients = intEnv("BENCH_FLOOD_CLIENTS", 64);
        int floodSeconds = intEnv("BENCH_FLOOD_SECONDS", 20);
        int idleSeconds = intEnv("BENCH_IDLE_SECONDS", 30);
        int single = intEnv("BENCH_SINGLE", 15);
        Path jar = Path.of(env("AUTH_JAR", root.resolve("auth/target/auth.jar").toString()));
        List<String> jvm = System.getenv("AUTH_JVM_OPTIONS") == null ? Stack.jvmOptions(root, "auth")
                : List.of(System.getenv("AUTH_JVM_OPTIONS").trim().split("\\s+"));
        Path python = root.resolve("dev/src/main/python/argon2_reference.py");
        Path log = root.resolve("dev/target/auth-bench.log");
        System.setProperty("ot.epg.working-dir", root.resolve(".dev/epg").toString());
        System.out.printf("auth bench: %d cores, load average %s, %s, JVM %s%n", Runtime.getRuntime().availableProcessors(),
                loadAverage(), jar, String.join(" ", jvm));

        try (EmbeddedPg pg = EmbeddedPg.start(null, 0, Map.of("max_connections", "100"), "bench-secret")) {
            pg.createDatabase("bench");
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Process auth = launchAuth(jar, jvm, log, pg.databaseUrl("bench"), port, Files.createTempDirectory("auth-bench"));
            try {
                String base = "http://127.0.0.1:" + port;
                waitHealthy(base, auth, log);
                Files.readAllLines(log).stream().filter(l -> l.contains("argon2 implementation") || l.contains("password hashing"))
                        .forEach(l -> System.out.println("server: " + l.replaceFirst("^.*?(argon2|password)", "$1")));
                if (args.length > 0 && args[0].equals("signup-flood")) {
                    signupFlood(base, intEnv("BENCH_CLIENTS", 4), seconds, intEnv("BENCH_FLOOD_CLIENTS", 32));
                } else {
                    Thread.sleep(idleSeconds * 1000L);
                    long idleRss = procStatus(auth.pid(), "VmRSS");
                    System.out.printf("idle RSS %d s after healthy: %d MiB%n", idleSeconds, idleRss >> 10);

                    List<HttpClient> connections = signUp(base, clients);
                    ExecutorService pool = Executors.newFixedThreadPool(Math.max(clients, floodClients));
                    try {
                        phase(pool, connections, base, Duration.ofSeconds(5), clients, null, null, null); // warm-up

                        long[] one = new long[single];
                        for (int i = 0; i < single; i++) {
                            long t0 = System.nanoTime();
                            expect(200, post(connections.getFirst(), base, body(0, true)));
                            one[i] = System.nanoTime() - t0;
                        }
                        double loginP50 = percentile(sorted(one), 0.5) / 1e6;
                        Map<String, Double> ref = python(python, "single", Integer.toString(single));
                        double refP50 = ref.get("p50_ms");
                        System.out.printf("single login p50 %.1f ms; one python3-argon2 verify p50 %.1f ms: %.2f x (goal <= 1.2)%n",
                                loginP50, refP50, loginP50 / refP50);

                        long[] wrong = new long[single];
                        long[] unknown = new long[single];
                        for (int i = 0; i < single; i++) {
                            boolean wrongFirst = i % 2 == 0;
                            for (int k = 0; k < 2; k++) {
                                boolean isWrong = (k == 0) == wrongFirst;
                                String json = isWrong ? body(0, false)
                                        : "{\"email\":\"nobody" + i + "@example.org\",\"password\":\"bench password 0\"}";
                                long t0 = System.nanoTime();
                                expect(401, post(connections.getFirst(), base, json));
                                (isWrong ? wrong : unknown)[i] = System.nanoTime() - t0;
                            }
                        }
                        double wrongP50 = percentile(sorted(wrong), 0.5) / 1e6;
                        double unknownP50 = percentile(sorted(unknown), 0.5) / 1e6;
                        System.out.printf("wrong password p50 %.1f ms, unknown email p50 %.1f ms: ratio %.3f (goal within 20 %%)%n",
                                wrongP50, unknownP50, unknownP50 / wrongP50);

                        double refVerifies = 0;
                        double refSeconds = 0;
                        double refCpu = 0;
                        long logins = 0;
                        double loginSeconds = 0;
                        long loginCpu = 0;
                        List<long[]> latencies = new ArrayList<>();
                        Map<Integer, Long> other = new ConcurrentHashMap<>();
                        for (int round = 1; round <= rounds; round++) {
                            Map<String, Double> r = python(python, "rate", Integer.toString(clients), Integer.toString(seconds));
                            long c0 = cpuNanos(auth.toHandle());
                            long t0 = System.nanoTime();
                            long l = phase(pool, connections, base, Duration.ofSeconds(seconds), clients, latencies, other, null);
                            double ls = (System.nanoTime() - t0) / 1e9;
                            loginCpu += cpuNanos(auth.toHandle()) - c0;
                            System.out.printf("round %d: python3-argon2 %.2f verifies/s, server %.2f logins/s%n", round,
                                    r.get("verifies") / r.get("seconds"), l / ls);
                            refVerifies += r.get("verifies");
                            refSeconds += r.get("seconds");
                            refCpu += r.get("cpu_seconds");
                            logins += l;
                            loginSeconds += ls;
                        }
                        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
                        double refRate = refVerifies / refSeconds;
                        double rate = logins / loginSeconds;
                        System.out.printf("reference: python3-argon2 on %d threads %.2f verifies/s, CPU %.0f ms per verify%n",
                                clients, refRate, refCpu * 1000 / refVerifies);
                        System.out.printf("server: %d connections %.2f logins/s (%d ok, other answers %s), p50 %.0f ms,"
                                + " p99 %.0f ms, CPU %.0f ms per login%n", clients, rate, logins, other,
                                percentile(all, 0.5) / 1e6, percentile(all, 0.99) / 1e6, loginCpu / 1e6 / logins);
                        System.out.printf("ratio logins/s / reference verifies/s: %.3f (goal >= 0.9)%n", rate / refRate);

                        List<HttpClient> flood = new ArrayList<>();
                        for (int i = 0; i < floodClients; i++) {
                            flood.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
                        }
                        AtomicLong peak = new AtomicLong();
                        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                            while (!Thread.currentThread().isInterrupted()) {
                                try {
                                    peak.accumulateAndGet(procStatus(auth.pid(), "VmRSS"), Math::max);
                                    Thread.sleep(50);
                                } catch (IOException | InterruptedException e) {
                                    return;
                                }
                            }
                        });
                        List<long[]> floodTimes = new ArrayList<>();
                        Map<Integer, Long> floodOther = new ConcurrentHashMap<>();
                        AtomicLong timeouts = new AtomicLong();
                        long t0 = System.nanoTime();
                        long ok = phase(pool, flood, base, Duration.ofSeconds(floodSeconds), clients, floodTimes, floodOther, timeouts);
                        double fs = (System.nanoTime() - t0) / 1e9;
                        sampler.interrupt();
                        long[] ft = floodTimes.stream().flatMapToLong(Arrays::stream).sorted().toArray();
                        System.out.printf("flood: %d connections %.0f s: %d logins (%.2f/s), other answers %s, %d timeouts,"
                                + " p50 %.0f ms, p99 %.0f ms%n", floodClients, fs, ok, ok / fs, new TreeMap<>(floodOther),
                                timeouts.get(), percentile(ft, 0.5) / 1e6, percentile(ft, 0.99) / 1e6);
                        System.out.printf("flood: peak RSS sampled %d MiB, VmHWM (whole run) %d MiB%n", peak.get() >> 10,
                                procStatus(auth.pid(), "VmHWM") >> 10);
                        Thread.sleep(idleSeconds * 1000L);
                        System.out.printf("RSS %d s after the flood: %d MiB; load average %s%n", idleSeconds,
                                procStatus(auth.pid(), "VmRSS") >> 10, loadAverage());
                    } finally {
                        pool.shutdownNow();
                    }
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

    /**
     * {@code signup-flood}: login latency without and with a signup flood. {@code clients} connections log
     * in for {@code seconds} alone, then again while {@code floodClients} connections sign up new accounts
     * (distinct emails) as fast as they are answered, pausing 20 ms after a 503 so the refusals are not a
     * busy loop. Prints the logins' p50/p99 both ways and the flood's answers: the signup lane keeps the
     * flood to its share of the hashing slots.
     */
    private static void signupFlood(String base, int clients, int seconds, int floodClients) throws Exception {
        List<HttpClient> connections = signUp(base, clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients + floodClients);
        try {
            phase(pool, connections, base, Duration.ofSeconds(3), clients, null, null, null); // warm-up
            List<long[]> alone = new ArrayList<>();
            Map<Integer, Long> aloneOther = new ConcurrentHashMap<>();
            phase(pool, connections, base, Duration.ofSeconds(seconds), clients, alone, aloneOther, null);
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong next = new AtomicLong();
            Map<Integer, Long> signups = new ConcurrentHashMap<>();
            List<Future<?>> flood = new ArrayList<>();
            for (int i = 0; i < floodClients; i++) {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                flood.add(pool.submit(() -> {
                    while (flooding.get()) {
                        String json = "{\"email\":\"flood" + next.incrementAndGet() + "@example.org\",\"password\":\"flood password\"}";
                        int status = client.send(HttpRequest.newBuilder(URI.create(base + "/auth/signup"))
                                .header("Content-Type", "application/json").timeout(CLIENT_TIMEOUT)
                                .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                        signups.merge(status, 1L, Long::sum);
                        if (status == 503) {
                            Thread.sleep(20);
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(2000); // the signup lane fills up
            List<long[]> during = new ArrayList<>();
            Map<Integer, Long> duringOther = new ConcurrentHashMap<>();
            phase(pool, connections, base, Duration.ofSeconds(seconds), clients, during, duringOther, null);
            flooding.set(false);
            for (Future<?> f : flood) {
                f.get();
            }
            long[] a = alone.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            long[] d = during.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            System.out.printf("logins alone: %d connections %d s: %d ok, other answers %s, p50 %.0f ms, p99 %.0f ms%n",
                    clients, seconds, a.length, new TreeMap<>(aloneOther), percentile(a, 0.5) / 1e6, percentile(a, 0.99) / 1e6);
            System.out.printf("logins during a signup flood of %d connections: %d ok, other answers %s, p50 %.0f ms,"
                    + " p99 %.0f ms (p50 %.2f x alone)%n", floodClients, d.length, new TreeMap<>(duringOther),
                    percentile(d, 0.5) / 1e6, percentile(d, 0.99) / 1e6, percentile(d, 0.5) / percentile(a, 0.5));
            System.out.printf("signup flood answers: %s; load average %s%n", new TreeMap<>(signups), loadAverage());
        } finally {
            pool.shutdownNow();
        }
    }

    /** One keep-alive connection and one account per client. */
    private static List<HttpClient> signUp(String base, int clients) throws Exception {
        List<HttpClient> connections = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            connections.add(client);
            HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(base + "/auth/signup"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body(i, true)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            expect(201, res.statusCode());
        }
        return connections;
    }

    /**
     * Every connection logs in (as account {@code i % accounts}) until the duration is up; the 200s' times
     * go to {@code latencies}, other statuses to {@code other}, client timeouts to {@code timeouts}.
     */
    private static long phase(ExecutorService pool, List<HttpClient> connections, String base, Duration duration,
                              int accounts, List<long[]> latencies, Map<Integer, Long> other, AtomicLong timeouts)
            throws Exception {
        long deadline = System.nanoTime() + duration.toNanos();
        List<Future<long[]>> workers = new ArrayList<>();
        for (int i = 0; i < connections.size(); i++) {
            HttpClient client = connections.get(i);
            String json = body(i % accounts, true);
            workers.add(pool.submit(() -> {
                long[] times = new long[100_000];
                int n = 0;
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        status = post(client, base, json);
                    } catch (HttpTimeoutException e) {
                        if (timeouts != null) {
                            timeouts.incrementAndGet();
                        }
                        continue;
                    }
                    long took = System.nanoTime() - t0;
                    if (status == 200) {
                        times[n++] = took;
                    } else {
                        if (other != null) {
                            other.merge(status, 1L, Long::sum);
                        }
                        if (status == 503) {
                            Thread.sleep(1000); // Retry-After: 1
                        }
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

    private static String body(int i, boolean right) {
        return "{\"email\":\"bench" + i + "@example.org\",\"password\":\"bench password " + i + (right ? "" : "!") + "\"}";
    }

    private static int post(HttpClient client, String base, String json) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/auth/login")).header("Content-Type", "application/json")
                .timeout(CLIENT_TIMEOUT).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void expect(int expected, int status) {
        if (status != expected) {
            throw new IllegalStateException("expected " + expected + ", got " + status);
        }
    }

    /** Runs the reference script; its key=value output line as numbers. */
    private static Map<String, Double> python(Path script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("python3-argon2 reference failed (apt-get install python3-argon2): " + out);
        }
        Map<String, Double> values = new HashMap<>();
        for (String pair : out.lines().reduce((a, b) -> b).orElse("").split(" ")) {
            String[] kv = pair.split("=", 2);
            values.put(kv[0], Double.parseDouble(kv[1]));
        }
        return values;
    }

    private static long[] sorted(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p * sorted.length) - 1))];
    }

    private static Process launchAuth(Path jar, List<String> jvm, Path log, String databaseUrl, int port, Path dataDir)
            throws IOException {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: ./mvnw -pl dev -am package -DskipTests first");
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(jvm);
        command.addAll(List.of("-jar", jar.toString()));
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putIfAbsent("MALLOC_ARENA_MAX", Stack.MALLOC_ARENA_MAX); // as the stack
        builder.environment().putAll(Map.of("DATABASE_URL", databaseUrl, "AUTH_PORT", Integer.toString(port),
                "BIND_HOST", "127.0.0.1", "AUTH_DATA_DIR", dataDir.toString(),
                "LOGIN_LOCK_ACCOUNT_FAILURES", "1000000", "LOGIN_LOCK_ADDRESS_FAILURES", "1000000",
                "SIGNUP_LIMIT_PER_ADDRESS", "1000000", "SIGNUP_LIMIT_GLOBAL", "1000000"));
        return builder.start();
    }

    private static void waitHealthy(String base, Process auth, Path log) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!auth.isAlive()) {
                throw new IllegalStateException("auth exited with " + auth.exitValue() + " (see " + log + ")");
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
    public static long procStatus(long pid, String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** The 1, 5 and 15 minute load averages: how much else ran on the machine. */
    private static String loadAverage() throws IOException {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return parts[0] + " " + parts[1] + " " + parts[2];
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static int intEnv(String name, int fallback) {
        return Integer.parseInt(env(name, Integer.toString(fallback)));
    }
}
