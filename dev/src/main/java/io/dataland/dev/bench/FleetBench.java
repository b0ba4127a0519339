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
import java.util.LinkedHashMap;
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
 * <p>Then, from the same run: the PgBouncer overhead per museum turn, once as latency (one client, turns
 * one after another at the agent's port of the single replica: the hop's added round trips, not queueing)
 * and once as capacity (CLIENTS clients: {@code 1000/rate} ms of the saturated host per turn); and, for
 * each 3-replica fleet, how long HAProxy takes to mark a SIGKILLed replica {@code DOWN}.
 *
 * <pre>
 * bin/bench-fleet [SECONDS] [CLIENTS]     (defaults 10, 16)
 * </pre>
 */
public final class FleetBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORMAT = "%-28s %-11s %-8s %9s %8s %8s %9s %s";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private FleetBench() {
    }

    /** One measured run. */
    private record Row(String setUp, String hop, String request, int clients, double rate, double p50, double p99,
                       double mean, int backends, int errors) {

        String line() {
            return String.format(FORMAT, setUp, hop, request + (clients == 1 ? " x1" : ""),
                    String.format("%.1f", rate), String.format("%.1f", p50), String.format("%.1f", p99),
                    Integer.toString(backends), errors == 0 ? "" : "(" + errors + " errors)");
        }
    }

    /** {@code [SECONDS] [CLIENTS]}. */
    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("io.zonky").setLevel(java.util.logging.Level.WARNING);
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Path root = Path.of(System.getProperty("dataland.root", ".")).toAbsolutePath().normalize();
        String loadBefore = loadAverage();
        FleetBench bench = new FleetBench();
        List<Row> rows = new ArrayList<>();
        Map<String, Long> downMillis = new LinkedHashMap<>();
        // Ctrl-C mid-run: stop the fleet being measured (its PgBouncer, HAProxy and services are processes)
        Fleet[] current = new Fleet[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (current) {
                if (current[0] != null) {
                    current[0].close();
                }
            }
        }, "fleet-bench-shutdown"));
        for (int replicas : List.of(1, 3)) {
            for (boolean bouncer : List.of(false, true)) {
                Path state = Files.createTempDirectory("fleet-bench");
                // one bench user sends every turn: the per-user chat limits (a burst of 20, 2 at once) are lifted
                Fleet fleet = Fleet.start(root, new Fleet.Options(replicas, 0, 0, 0, 0, 20, bouncer, state, false, false,
                        Map.of("DB_POOL_SIZE", "8", "DB_MAX_OVERFLOW", "8", "JWKS_REFETCH_COOLDOWN_SECONDS", "1",
                                "CHAT_TURN_BURST", "100000", "CHAT_TURNS_PER_HOUR", "10000000", "CHAT_MAX_TURNS_PER_USER", "10000")));
                synchronized (current) {
                    current[0] = fleet;
                }
                try {
                    String name = replicas + (replicas == 1 ? " replica, " : " replicas, ") + (bouncer ? "PgBouncer" : "direct PG");
                    String token = bench.token(fleet);
                    String ticket = bench.conversation(fleet.agentUrl(), token);
                    List<String> urls = new ArrayList<>(List.of(fleet.agentUrl()));
                    if (replicas == 1) {
                        urls.add("http://127.0.0.1:" + fleet.agentPorts().getFirst());
                    }
                    for (String url : urls) {
                        String hop = url.equals(fleet.agentUrl()) ? "HAProxy" : "agent port";
                        rows.add(bench.run(name, hop, "turn", fleet, url, token, null, seconds, clients));
                        rows.add(bench.run(name, hop, "reload", fleet, url, token, ticket, seconds, clients));
                    }
                    if (replicas == 1) {
                        rows.add(bench.run(name, "agent port", "turn", fleet, urls.getLast(), token, null, seconds, 1));
                    } else {
                        downMillis.put(name, bench.killToDown(fleet));
                    }
                } finally {
                    synchronized (current) {
                        fleet.close();
                        current[0] = null;
                    }
                }
                rows.forEach(r -> System.out.println(r.line()));
                System.out.println();
            }
        }
        System.out.println("== fleet bench, " + seconds + " s per run, " + clients + " clients (x1: one client), "
                + "load average before " + loadBefore + ", after " + loadAverage() + " ==");
        System.out.println(String.format(FORMAT, "set-up", "hop", "request", "req/s", "p50 ms", "p99 ms", "backends", ""));
        rows.forEach(r -> System.out.println(r.line()));
        System.out.println();
        System.out.println(overhead(rows, clients));
        downMillis.forEach((name, ms) -> System.out.println("HAProxy: SIGKILLed replica marked DOWN after "
                + (ms < 0 ? "more than 30 s" : ms + " ms") + " (" + name + ")"));
    }

    /** The PgBouncer hop per museum turn, from the single replica's agent-port rows. */
    static String overhead(List<Row> rows, int clients) {
        Row directSerial = find(rows, "1 replica, direct PG", 1);
        Row bouncerSerial = find(rows, "1 replica, PgBouncer", 1);
        Row direct = find(rows, "1 replica, direct PG", clients);
        Row bouncer = find(rows, "1 replica, PgBouncer", clients);
        StringBuilder out = new StringBuilder("PgBouncer overhead per museum turn (1 replica, agent port):\n");
        if (directSerial != null && bouncerSerial != null) {
            out.append(String.format("  latency, one client:  %.2f ms direct, %.2f ms through PgBouncer: %+.2f ms per turn (x%.2f)%n",
                    directSerial.mean(), bouncerSerial.mean(), bouncerSerial.mean() - directSerial.mean(),
                    bouncerSerial.mean() / directSerial.mean()));
        }
        if (direct != null && bouncer != null && direct.rate() > 0 && bouncer.rate() > 0) {
            out.append(String.format("  capacity, %d clients: %.1f req/s direct, %.1f through PgBouncer: %+.2f ms of the host per turn (x%.2f)",
                    clients, direct.rate(), bouncer.rate(), 1000 / bouncer.rate() - 1000 / direct.rate(),
                    direct.rate() / bouncer.rate()));
        }
        return out.toString();
    }

    private static Row find(List<Row> rows, String setUp, int clients) {
        return rows.stream().filter(r -> r.setUp().equals(setUp) && r.hop().equals("agent port") && r.request().equals("turn")
                && r.clients() == clients).findFirst().orElse(null);
    }

    /** SIGKILLs the last replica and waits for HAProxy's statistics to say {@code DOWN}: ms, or -1 after 30 s. */
    private long killToDown(Fleet fleet) throws InterruptedException {
        String server = "agent" + fleet.agents().size();
        long killed = System.nanoTime();
        fleet.agents().getLast().destroyForcibly();
        long deadline = killed + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if ("DOWN".equals(fleet.haproxy().serverStates().get(server))) {
                return (System.nanoTime() - killed) / 1_000_000;
            }
            Thread.sleep(20);
        }
        return -1;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
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

    private Row run(String name, String hop, String kind, Fleet fleet, String url, String token, String reloadTicket,
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
        double mean = sorted.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
        return new Row(name, hop, kind, clients, sorted.size() / elapsed, p50, p99, mean, maxBackends[0], errors.get());
    }
}
