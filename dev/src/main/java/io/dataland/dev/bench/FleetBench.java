package io.dataland.dev.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataland.dev.Fleet;

/**
 * The fleet's figures: museum turns (JSON) and reloads of a 20-message conversation at {@code CLIENTS}
 * concurrent keep-alive connections, for 1 and 3 agent replicas, straight to PostgreSQL and through
 * PgBouncer (transaction pooling), always through HAProxy; for one replica also straight at the agent, so
 * the HAProxy hop and the PgBouncer hop each show up as a difference. Requests/s, p50, p99, and the most
 * PostgreSQL client backends seen during the run (sampled every 100 ms).
 *
 * <pre>
 * bin/bench-fleet [SECONDS] [CLIENTS]     (defaults 10, 16)
 * </pre>
 */
public final class FleetBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private FleetBench() {
    }

    /** {@code [SECONDS] [CLIENTS]}. */
    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("io.zonky").setLevel(java.util.logging.Level.WARNING);
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Path root = Path.of(System.getProperty("dataland.root", ".")).toAbsolutePath().normalize();
        FleetBench bench = new FleetBench();
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-34s %-8s %9s %8s %8s %9s", "set-up", "request", "req/s", "p50 ms", "p99 ms", "backends"));
        for (int replicas : List.of(1, 3)) {
            for (boolean bouncer : List.of(false, true)) {
                Path state = Files.createTempDirectory("fleet-bench");
                Fleet fleet = Fleet.start(root, new Fleet.Options(replicas, 0, 0, 0, 0, 20, bouncer, state, false, false,
                        Map.of("DB_POOL_SIZE", "8", "DB_MAX_OVERFLOW", "8", "JWKS_REFETCH_COOLDOWN_SECONDS", "1")));
                try {
                    String name = replicas + " replica(s), " + (bouncer ? "PgBouncer" : "direct PG");
                    String token = bench.token(fleet);
                    String ticket = bench.conversation(fleet.agentUrl(), token);
                    List<String> urls = new ArrayList<>(List.of(fleet.agentUrl()));
                    if (replicas == 1) {
                        urls.add("http://127.0.0.1:" + fleet.agentPorts().getFirst());
                    }
                    for (String url : urls) {
                        String via = url.equals(fleet.agentUrl()) ? " via HAProxy" : " agent port";
                        lines.add(bench.run(name + via, "turn", fleet, url, token, null, seconds, clients));
                        lines.add(bench.run(name + via, "reload", fleet, url, token, ticket, seconds, clients));
                    }
                } finally {
                    fleet.close();
                }
                lines.forEach(System.out::println);
                System.out.println();
            }
        }
        System.out.println("== fleet bench, " + seconds + " s per run, " + clients + " clients ==");
        lines.forEach(System.out::println);
    }

    private String token(Fleet fleet) throws Exception {
        String body = "{\"email\":\"bench-" + UUID.randomUUID() + "@example.org\",\"password\":\"bench-Correct-Horse-42\"}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(fleet.authUrl() + "/auth/signup"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("signup: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    /** A museum conversation of 20 messages (10 turns), for the reloads. */
    private String conversation(String url, String token) throws Exception {
        String ticket = "BENCH-" + UUID.randomUUID();
        // a replica whose first JWKS fetch timed out on a busy host learns the key on the next unknown kid
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int i = 0; i < 10; i++) {
            int status = turn(url, token, ticket, i);
            while (status == 401 && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                status = turn(url, token, ticket, i);
            }
            if (status != 200) {
                throw new IllegalStateException("seed turn: " + status);
            }
        }
        return ticket;
    }

    private int turn(String url, String token, String ticket, int i) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/museum"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ticket_id\":\"" + ticket + "\",\"message\":\"question " + i + "\"}"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String run(String name, String kind, Fleet fleet, String url, String token, String reloadTicket,
                       int seconds, int clients) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger errors = new AtomicInteger();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        int[] maxBackends = {0};
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                String ticket = "BENCH-" + UUID.randomUUID();
                pool.submit(() -> {
                    int i = 0;
                    while (running.get()) {
                        long t0 = System.nanoTime();
                        int status = reloadTicket == null ? turn(url, token, ticket, i++)
                                : http.send(HttpRequest.newBuilder(URI.create(url + "/v1/conversations/" + reloadTicket))
                                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (status == 200) {
                            latencies.add(System.nanoTime() - t0);
                        } else {
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            pool.submit(() -> {
                try (Connection c = fleet.postgres().superuser("postgres"); Statement s = c.createStatement()) {
                    while (running.get()) {
                        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = 'dataland' "
                                + "AND backend_type = 'client backend'")) {
                            rs.next();
                            maxBackends[0] = Math.max(maxBackends[0], rs.getInt(1));
                        }
                        Thread.sleep(100);
                    }
                }
                return null;
            });
            Thread.sleep(seconds * 1000L);
            running.set(false);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double p50 = sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1e6;
        double p99 = sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6;
        return String.format("%-34s %-8s %9.1f %8.1f %8.1f %9d%s", name, kind, sorted.size() / elapsed, p50, p99,
                maxBackends[0], errors.get() == 0 ? "" : "  (" + errors.get() + " errors)");
    }
}
