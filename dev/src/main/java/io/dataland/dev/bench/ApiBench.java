package io.dataland.dev.bench;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.dataland.agent.AgentServer;
import io.dataland.kit.config.Settings;
import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.TestDatabase;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import jdk.jfr.Recording;

/**
 * The agent's HTTP benchmark on the embedded stack: one embedded PostgreSQL 16, the real agent in-process
 * (trusting a local key through {@code JWKS_FILE}, offline model), {@code CLIENTS} concurrent keep-alive
 * connections. Measures museum turns as JSON and as Server-Sent Events, the reload of a 20-message
 * conversation and {@code GET /v1/me} (requests/s, p50, p99); in the same run the raw-SQL limit, the same
 * statements as one museum turn through {@code pgbench} on the same server ({@code bench/museum-turn.sql},
 * shared with {@link StoreBench}), and the ratio. A JFR execution-sample profile of one museum-turn
 * round says where the JVM's time goes.
 *
 * <pre>
 * bin/bench-api [SECONDS] [CLIENTS] [ROUNDS]     (defaults 10, 16, 2)
 * </pre>
 */
public final class ApiBench {

    private static final String QUESTION = "Who painted the picture in front of me?";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final int port;
    private final List<String> tokens;

    private ApiBench(int port, List<String> tokens) {
        this.port = port;
        this.tokens = tokens;
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        for (String quiet : List.of("io.zonky", "org.flywaydb", "com.zaxxer.hikari", "io.helidon", "io.dataland")) {
            Logger.getLogger(quiet).setLevel(Level.WARNING);
        }
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String password = "bench-" + ProcessHandle.current().pid();
        KeyPair key = rsa();
        Path jwks = Files.createTempFile("bench-jwks", ".json");
        Files.writeString(jwks, "{\"keys\":[" + Jwks.json(Jwks.builder().key((RSAPublicKey) key.getPublic())
                .id("bench-1").algorithm("RS256").publicKeyUse("sig").build()) + "]}");
        Path script = Files.createTempFile("museum-turn", ".sql");
        try (InputStream in = ApiBench.class.getResourceAsStream("/bench/museum-turn.sql")) {
            Files.write(script, in.readAllBytes());
        }
        try (EmbeddedPg pg = EmbeddedPg.start(null, 0, Map.of("max_connections", "100"), password)) {
            pg.createDatabase("bench");
            TestDatabase db = new TestDatabase(pg, "bench");
            Map<String, String> env = new HashMap<>();
            env.put("DATABASE_URL", db.databaseUrl());
            env.put("AGENT_PORT", "0");
            env.put("JWKS_FILE", jwks.toString());
            env.put("AUTH_JWKS_URL", "http://127.0.0.1:9/jwks.json");
            env.put("DB_POOL_SIZE", String.valueOf(clients));
            env.put("DB_MAX_OVERFLOW", "8");
            // throughput, not abuse limits: every visitor sends turn after turn
            env.put("CHAT_TURN_BURST", "100000");
            env.put("CHAT_TURNS_PER_HOUR", "10000000");
            env.put("CHAT_MAX_TURNS_PER_USER", "10000");
            try (AgentServer agent = AgentServer.start(Settings.load(env, "application.yaml"))) {
                List<String> tokens = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    tokens.add(Jwts.builder().header().keyId("bench-1").and().subject("bench-api-" + i)
                            .claim("email", "bench-api-" + i + "@bench.example").claim("full_name", "Bench Visitor")
                            .claim("location", "Hall 1").expiration(Date.from(Instant.now().plus(Duration.ofHours(2))))
                            .signWith(key.getPrivate(), Jwts.SIG.RS256).compact());
                }
                new ApiBench(agent.port(), tokens).run(pg, db, script, seconds, clients, rounds);
            }
        } finally {
            Files.deleteIfExists(jwks);
            Files.deleteIfExists(script);
        }
    }

    private void run(EmbeddedPg pg, TestDatabase db, Path script, int seconds, int clients, int rounds) throws Exception {
        String pgbench = StoreBench.findPgbench();
        System.out.printf(Locale.ROOT, "api bench: agent (Helidon SE, offline model) + PostgreSQL 16 embedded (fsync off), "
                + "%d connections, %d s per phase, %d CPUs, load average %.1f%n", clients, seconds,
                Runtime.getRuntime().availableProcessors(), loadAverage());
        // warm-up: JIT, statement caches, tables
        // warm-up long enough for C2 on a small, shared machine (the first measured round ran cold before)
        phase("warm-up", clients, 2 * seconds, this::museumJson, false);
        phase("warm-up", clients, Math.max(2, seconds / 4), this::museumSse, false);
        StoreBench.pgbench(pgbench, pg, db, script, clients, Math.max(2, seconds / 2));

        List<Result> results = new ArrayList<>();
        double turnSum = 0;
        double pgSum = 0;
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Result turn = phase("museum turn (JSON)", clients, seconds, this::museumJson, round == rounds);
            double tps = StoreBench.pgbench(pgbench, pg, db, script, clients, seconds);
            turnSum += turn.rate();
            pgSum += tps;
            results.add(turn);
            ratios.add(turn.rate() / tps);
            System.out.printf(Locale.ROOT, "round %d: museum turn (JSON) %7.1f req/s, pgbench (same statements) %7.1f tps, "
                    + "ratio %.2f (load %.1f)%n", round, turn.rate(), tps, turn.rate() / tps, loadAverage());
        }
        results.add(phase("museum turn (SSE)", clients, seconds, this::museumSse, false));
        List<String> conversations = seedConversations(clients);
        results.add(phase("reload 20-message conversation", clients, seconds,
                i -> get("/v1/conversations/" + conversations.get(i), i), false));
        results.add(phase("GET /v1/me", clients, seconds, i -> get("/v1/me", i), false));

        System.out.println();
        System.out.printf(Locale.ROOT, "%-32s %10s %10s %10s %8s %8s%n", "scenario", "req/s", "p50 ms", "p99 ms", "errors", "JVM CPU");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-32s %10.1f %10.2f %10.2f %8d %7.0f%%%n", r.name(), r.rate(), r.p50(), r.p99(),
                    r.errors(), r.jvmCpu() * 100);
        }
        double turn = turnSum / rounds;
        double limit = pgSum / rounds;
        System.out.printf(Locale.ROOT, "%nraw-SQL limit: pgbench -M prepared, the museum turn's 12 statements in 3 transactions, "
                + "%d clients: %.1f tps (mean of %d rounds)%n", clients, limit, rounds);
        System.out.printf(Locale.ROOT, "museum turn (JSON) over HTTP: %.1f req/s (mean of %d rounds)%n", turn, rounds);
        Collections.sort(ratios);
        System.out.printf(Locale.ROOT, "ratio museum turn / raw-SQL limit: %.2f of the means; per round median %.2f, range %.2f-%.2f"
                + " (goal >= 0.60)%n", turn / limit, ratios.get(ratios.size() / 2), ratios.getFirst(), ratios.getLast());
    }

    /** A timed phase: {@code clients} threads, each with its own keep-alive connection, for {@code seconds}. */
    private Result phase(String name, int clients, int seconds, IntFunction<byte[]> request, boolean profile)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        List<long[]> latencies = Collections.synchronizedList(new ArrayList<>());
        long[] errors = new long[clients];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(Thread.ofPlatform().name("bench-client-" + c).start(() -> {
                long[] mine = new long[1024];
                int n = 0;
                byte[] bytes = request.apply(client);
                try (RawHttp connection = new RawHttp("127.0.0.1", port)) {
                    start.await();
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        RawHttp.Response response = connection.send(bytes);
                        long took = System.nanoTime() - t0;
                        if (response.status() != 200 || contains(response.body(), "\"error\":")) {
                            errors[client]++;
                        }
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = took;
                    }
                } catch (Exception e) {
                    errors[client]++;
                }
                latencies.add(Arrays.copyOf(mine, n));
            }));
        }
        Recording recording = profile ? startProfile() : null;
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        start.countDown();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - t0;
        double jvmCpu = (processCpuNanos() - cpu0) / (double) elapsed / Runtime.getRuntime().availableProcessors();
        if (recording != null) {
            Profile.print(recording, "museum turn (JSON)");
        }
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(name, all.length / (elapsed / 1e9), percentile(all, 0.50), percentile(all, 0.99),
                Arrays.stream(errors).sum(), jvmCpu);
    }

    private byte[] museumJson(int client) {
        return RawHttp.request("POST", "/v1/chat/museum", "127.0.0.1:" + port,
                "{\"ticket_id\":\"ticket-api-" + client + "\",\"message\":\"" + QUESTION + "\"}",
                "Authorization: Bearer " + tokens.get(client), "Content-Type: application/json");
    }

    private byte[] museumSse(int client) {
        return RawHttp.request("POST", "/v1/chat/museum", "127.0.0.1:" + port,
                "{\"ticket_id\":\"ticket-sse-" + client + "\",\"message\":\"" + QUESTION + "\"}",
                "Authorization: Bearer " + tokens.get(client), "Content-Type: application/json",
                "Accept: text/event-stream");
    }

    private byte[] get(String path, int client) {
        return RawHttp.request("GET", path, "127.0.0.1:" + port, null, "Authorization: Bearer " + tokens.get(client));
    }

    private static boolean contains(byte[] body, String text) {
        return new String(body, StandardCharsets.UTF_8).contains(text);
    }

    /** One general conversation of 10 turns (20 messages) per client; returns their ids. */
    private List<String> seedConversations(int clients) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            String id = null;
            for (int turn = 0; turn < 10; turn++) {
                String body = id == null ? "{\"message\":\"Tell me about Monet\"}"
                        : "{\"conversation_id\":\"" + id + "\",\"message\":\"And then? " + turn + "\"}";
                HttpResponse<String> r = http.send(request("/v1/chat", c).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("seeding failed: " + r.body());
                }
                if (id == null) {
                    int at = r.body().indexOf("\"conversation_id\":\"") + 19;
                    id = r.body().substring(at, r.body().indexOf('"', at));
                }
            }
            ids.add(id);
        }
        return ids;
    }

    private HttpRequest.Builder request(String path, int client) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + tokens.get(client)).timeout(Duration.ofSeconds(30));
    }

    private static Recording startProfile() {
        Recording recording = new Recording();
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        recording.start();
        return recording;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    /** One phase's figures. */
    private record Result(String name, double rate, double p50, double p99, long errors, double jvmCpu) {
    }
}
