package io.dataland.dev.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.dataland.agent.AgentServer;
import io.dataland.kit.config.Settings;
import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.TestDatabase;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;

/**
 * The agent's HTTP benchmark driven by wrk (Debian's {@code wrk}, script {@code bench/wrk/requests.lua}):
 * one embedded PostgreSQL 16 ({@code fsync} off), the real agent in-process (offline model),
 * {@code CLIENTS} connections. After a warm-up that lasts until the JIT has settled (then VACUUM (ANALYZE)),
 * phases, each {@code SECONDS} long, on a fresh database and then again after
 * the database has grown by 1,000,000 messages in 5,000 conversations of 200 (filled with generate_series,
 * with 1,000,000 child rows, then VACUUM (ANALYZE)): reload of a 20-message conversation, {@code GET /v1/me}, museum
 * turn (JSON), and pgbench running the museum turn's statements ({@code bench/museum-turn.sql}). For each
 * phase: req/s, p50, p99, non-2xx, and PostgreSQL's CPU seconds per 1,000 requests (user + system time of
 * the postmaster and its children, from {@code /proc/<pid>/stat}).
 *
 * <pre>
 * bin/bench-wrk [SECONDS] [CLIENTS] [grow|fresh]     (defaults 15, 16, grow)
 * bin/bench-wrk [SECONDS] [CLIENTS] compare OLD_AGENT_JAR
 * </pre>
 *
 * <p>{@code compare}: {@code GET /v1/me} side by side, this tree's {@code agent/target/agent.jar} and an
 * older build's jar, each a child JVM with the same flags on its own database of the same server,
 * 3 alternating rounds; req/s, WAL bytes and PostgreSQL CPU per request.
 */
public final class WrkBench {

    private static final String QUESTION = "Who painted the picture in front of me?";
    private static final double TICKS = 100.0; // USER_HZ on Linux

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final int port;
    private final List<String> tokens;
    private final long postmaster;
    private final Path dir;

    private WrkBench(int port, List<String> tokens, long postmaster, Path dir) {
        this.port = port;
        this.tokens = tokens;
        this.postmaster = postmaster;
        this.dir = dir;
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        for (String quiet : List.of("io.zonky", "org.flywaydb", "com.zaxxer.hikari", "io.helidon", "io.dataland")) {
            Logger.getLogger(quiet).setLevel(Level.WARNING);
        }
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        boolean grow = args.length <= 2 || args[2].equals("grow");
        String oldJar = args.length > 3 && args[2].equals("compare") ? args[3] : null;
        Path dir = Files.createTempDirectory("bench-wrk");
        KeyPair key = rsa();
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, "{\"keys\":[" + Jwks.json(Jwks.builder().key((RSAPublicKey) key.getPublic())
                .id("bench-1").algorithm("RS256").publicKeyUse("sig").build()) + "]}");
        copy("/bench/museum-turn.sql", dir.resolve("museum-turn.sql"));
        copy("/bench/wrk/requests.lua", dir.resolve("requests.lua"));
        // the seed's server settings (compose/compose.yml runs PostgreSQL with the same), and the statistics extension
        try (EmbeddedPg pg = EmbeddedPg.start(null, 0, Map.of("max_connections", "100", "shared_buffers", "256MB",
                "work_mem", "8MB", "effective_cache_size", "512MB",
                "shared_preload_libraries", "pg_stat_statements"), "bench-" + ProcessHandle.current().pid())) {
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
                for (int i = 0; i < 4 * clients; i++) {
                    tokens.add(Jwts.builder().header().keyId("bench-1").and().subject("bench-wrk-" + i)
                            .claim("email", "bench-wrk-" + i + "@bench.example").claim("full_name", "Bench Visitor")
                            .claim("location", "Hall 1").expiration(Date.from(Instant.now().plus(Duration.ofHours(2))))
                            .signWith(key.getPrivate(), Jwts.SIG.RS256).compact());
                }
                long postmaster;
                try (Connection c = db.connect(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    postmaster = ProcessHandle.of(rs.getLong(1)).orElseThrow().parent().orElseThrow().pid();
                }
                WrkBench bench = new WrkBench(agent.port(), tokens, postmaster, dir);
                if (oldJar != null) {
                    bench.compareMe(pg, Path.of(oldJar), Path.of("agent/target/agent.jar"), jwks, seconds, clients);
                } else {
                    bench.run(db, seconds, clients, grow);
                }
            }
        }
    }

    private void run(TestDatabase db, int seconds, int clients, boolean grow) throws Exception {
        statsDb = db;
        try (Connection c = db.superuser(); Statement s = c.createStatement()) {
            // after the agent's migrations: the agent refuses to migrate a schema holding unknown objects
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
        String pgbench = StoreBench.findPgbench();
        System.out.printf(Locale.ROOT, "wrk bench: agent (Helidon SE, offline model) + PostgreSQL 16 embedded (fsync off), "
                + "%d connections, %d s per phase, %d CPUs, load average %.1f%n", clients, seconds,
                Runtime.getRuntime().availableProcessors(), loadAverage());
        Path reload = lines("reload.txt", seedConversations());
        Path me = lines("me.txt", null);
        Path museum = lines("museum.txt", null);
        // Warm-up: statement caches (past pgjdbc's prepareThreshold), tables, and the JIT. The agent's CPU counts
        // its compiler threads, and C2 keeps compiling well past a first round (8.7 s of the 15 s fresh museum
        // phase after one): rounds until one compiles for less than a second (at most six), then what
        // autovacuum would do to the tables the warm-up's turns grew, so the fresh phases measure a warm agent.
        for (int round = 1; ; round++) {
            long jit0 = jitMillis();
            wrk(museum, clients, Math.max(5, seconds));
            wrk(reload, clients, Math.max(3, seconds / 2));
            wrk(me, clients, Math.max(3, seconds / 2));
            double jit = (jitMillis() - jit0) / 1e3;
            System.out.printf(Locale.ROOT, "warm-up round %d: JIT %.1f s%n", round, jit);
            if (jit < 1.0 || round == 6) {
                break;
            }
        }
        try (Connection c = db.superuser(); Statement s = c.createStatement()) {
            vacuum(s);
        }

        List<Result> results = new ArrayList<>();
        results.addAll(round("fresh", db, pgbench, reload, me, museum, clients, seconds));
        if (grow) {
            long t0 = System.nanoTime();
            long messages = grow(db);
            System.out.printf(Locale.ROOT, "grown: %,d messages in the database (filled and analysed in %.0f s)%n",
                    messages, (System.nanoTime() - t0) / 1e9);
            wrk(reload, clients, Math.max(3, seconds / 2));
            results.addAll(round("grown", db, pgbench, reload, me, museum, clients, seconds));
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "%-28s %10s %9s %9s %7s %14s %17s%n", "scenario", "req/s", "p50 ms", "p99 ms", "non-2xx",
                "PG CPU s/1000", "agent CPU s/1000");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-28s %10.1f %9.2f %9.2f %7d %14.3f %17.3f%n", r.name(), r.rate(), r.p50(), r.p99(),
                    r.errors(), r.pgCpuPerThousand(), r.agentCpuPerThousand());
        }
        Map<String, Double> rate = new HashMap<>();
        results.forEach(r -> rate.put(r.name(), r.rate()));
        System.out.println();
        ratio("museum turn / pgbench (fresh)", rate.get("fresh: museum turn (JSON)"), rate.get("fresh: pgbench museum turn"));
        ratio("reload / museum turn (fresh)", rate.get("fresh: reload 20 messages"), rate.get("fresh: museum turn (JSON)"));
        if (grow) {
            ratio("museum turn / pgbench (grown)", rate.get("grown: museum turn (JSON)"), rate.get("grown: pgbench museum turn"));
            ratio("reload / museum turn (grown)", rate.get("grown: reload 20 messages"), rate.get("grown: museum turn (JSON)"));
            ratio("reload grown / reload fresh", rate.get("grown: reload 20 messages"), rate.get("fresh: reload 20 messages"));
        }
        System.out.printf(Locale.ROOT, "load average at the end %.1f%n", loadAverage());
    }

    /** GET /v1/me on two agent jars side by side (see the class comment). */
    private void compareMe(EmbeddedPg pg, Path oldJar, Path newJar, Path jwks, int seconds, int clients) throws Exception {
        System.out.printf(Locale.ROOT, "GET /v1/me side by side: new %s, old %s, %d connections, %d s per phase, load average %.1f%n",
                newJar, oldJar, clients, seconds, loadAverage());
        Path me = lines("me.txt", null);
        List<Process> agents = new ArrayList<>();
        try {
            Map<String, Integer> ports = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, Path> jar : Map.of("new", newJar, "old", oldJar).entrySet()) {
                pg.createDatabase("me_" + jar.getKey());
                int port;
                try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
                    port = socket.getLocalPort();
                }
                ProcessBuilder b = new ProcessBuilder("java", "-XX:+UseSerialGC", "-Xmx512m", "-jar", jar.getValue().toString(), "serve");
                b.environment().put("DATABASE_URL", pg.databaseUrl("me_" + jar.getKey()));
                b.environment().put("AGENT_PORT", String.valueOf(port));
                b.environment().put("JWKS_FILE", jwks.toString());
                b.environment().put("AUTH_JWKS_URL", "http://127.0.0.1:9/jwks.json");
                b.environment().put("DB_POOL_SIZE", String.valueOf(clients));
                b.environment().put("DB_MAX_OVERFLOW", "8");
                b.redirectErrorStream(true).redirectOutput(dir.resolve(jar.getKey() + ".log").toFile());
                agents.add(b.start());
                ports.put(jar.getKey(), port);
            }
            for (Map.Entry<String, Integer> p : ports.entrySet()) {
                waitForMe(p.getValue());
                wrkAt(p.getValue(), me, clients, seconds); // warm-up
            }
            Map<String, List<Double>> rates = new HashMap<>();
            for (int round = 1; round <= 3; round++) {
                for (Map.Entry<String, Integer> p : ports.entrySet()) {
                    String lsn = text(pg, "me_" + p.getKey(), "SELECT pg_current_wal_lsn()::text");
                    double cpu0 = postgresCpuSeconds();
                    Result r = wrkAt(p.getValue(), me, clients, seconds);
                    double cpu = postgresCpuSeconds() - cpu0;
                    long wal = Long.parseLong(text(pg, "me_" + p.getKey(),
                            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + lsn + "')::bigint::text"));
                    rates.computeIfAbsent(p.getKey(), k -> new ArrayList<>()).add(r.rate());
                    System.out.printf(Locale.ROOT, "round %d %-3s GET /v1/me %9.1f req/s  p50 %6.2f ms  p99 %7.2f ms  non-2xx %d"
                                    + "  WAL %6.1f B/req  PG CPU %.3f s/1000 (load %.1f)%n", round, p.getKey(), r.rate(), r.p50(),
                            r.p99(), r.errors(), wal / r.requests(), cpu / r.requests() * 1000, loadAverage());
                }
            }
            double newMean = rates.get("new").stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double oldMean = rates.get("old").stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            System.out.printf(Locale.ROOT, "GET /v1/me new / old: %.2f (means %.1f / %.1f req/s; goal >= 1.5)%n",
                    newMean / oldMean, newMean, oldMean);
        } finally {
            agents.forEach(Process::destroy);
        }
    }

    private void waitForMe(int agentPort) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agentPort + "/v1/me"))
                        .header("Authorization", "Bearer " + tokens.getFirst()).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // booting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("agent on port " + agentPort + " did not answer; see " + dir);
            }
            Thread.sleep(500);
        }
    }

    private static String text(EmbeddedPg pg, String database, String sql) throws SQLException {
        try (Connection c = pg.superuser(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private List<Result> round(String label, TestDatabase db, String pgbench, Path reload, Path me, Path museum,
                               int clients, int seconds) throws Exception {
        List<Result> results = new ArrayList<>();
        results.add(measured(label + ": reload 20 messages", () -> wrk(reload, clients, seconds)));
        results.add(measured(label + ": GET /v1/me", () -> wrk(me, clients, seconds)));
        results.add(measured(label + ": museum turn (JSON)", () -> wrk(museum, clients, seconds)));
        results.add(measured(label + ": pgbench museum turn", () -> {
            double tps = StoreBench.pgbench(pgbench, db.server(), db, dir.resolve("museum-turn.sql"), clients, seconds);
            return new Result("", tps, Double.NaN, Double.NaN, 0, tps * seconds, 0, 0);
        }));
        return results;
    }

    private interface Phase {
        Result run() throws Exception;
    }

    /** Runs {@code phase} and charges it PostgreSQL's CPU time over the phase. */
    private Result measured(String name, Phase phase) throws Exception {
        statements(null);
        double cpu0 = postgresCpuSeconds();
        long agentCpu0 = agentCpuNanos();
        long jit0 = jitMillis();
        Result r = phase.run();
        double cpu = postgresCpuSeconds() - cpu0;
        double agentCpu = (agentCpuNanos() - agentCpu0) / 1e9;
        double jit = (jitMillis() - jit0) / 1e3;
        Result named = new Result(name, r.rate(), r.p50(), r.p99(), r.errors(), r.requests(), cpu / r.requests() * 1000,
                agentCpu / r.requests() * 1000);
        // the agent's CPU includes its JIT compiler threads: in the fresh phases C2 is still compiling
        System.out.printf(Locale.ROOT, "%-28s %9.1f req/s  p50 %7.2f ms  p99 %7.2f ms  non-2xx %d  PG CPU %.1f s  agent CPU %.1f s"
                + " (of which JIT %.1f s) (load %.1f)%n",
                name, named.rate(), named.p50(), named.p99(), named.errors(), cpu, agentCpu, jit, loadAverage());
        statements(name);
        return named;
    }

    private TestDatabase statsDb;

    /** Resets pg_stat_statements ({@code phase} null) or prints the phase's top statements by total time. */
    private void statements(String phase) throws SQLException {
        try (Connection c = statsDb.superuser(); Statement s = c.createStatement()) {
            if (phase == null) {
                s.execute("SELECT pg_stat_statements_reset()");
                return;
            }
            try (ResultSet rs = s.executeQuery("""
                    SELECT calls, total_exec_time, mean_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 90)
                      FROM pg_stat_statements WHERE calls > 10 ORDER BY total_exec_time DESC LIMIT 4""")) {
                while (rs.next()) {
                    System.out.printf(Locale.ROOT, "    %9d calls %9.0f ms total %7.3f ms mean  %s%n", rs.getLong(1),
                            rs.getDouble(2), rs.getDouble(3), rs.getString(4));
                }
            }
        }
    }

    /** wrk on {@code file}'s requests: 2 threads, {@code clients} connections, {@code seconds}. */
    private Result wrk(Path file, int clients, int seconds) throws IOException, InterruptedException {
        return wrkAt(port, file, clients, seconds);
    }

    private Result wrkAt(int port, Path file, int clients, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + clients, "-d" + seconds + "s", "--latency", "--timeout", "10s",
                "-s", dir.resolve("requests.lua").toString(), "http://127.0.0.1:" + port, "--", file.toString(), "2")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        double rate = number(out, "Requests/sec:\\s+([0-9.]+)");
        long requests = (long) number(out, "([0-9]+) requests in");
        long errors = out.contains("Non-2xx") ? (long) number(out, "Non-2xx or 3xx responses: ([0-9]+)") : 0;
        return new Result("", rate, millis(out, "50%"), millis(out, "99%"), errors, requests, 0, 0);
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in wrk output:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }

    private static double millis(String text, String percentile) {
        Matcher m = Pattern.compile("\\s" + percentile + "\\s+([0-9.]+)(us|ms|s)").matcher(text);
        if (!m.find()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    /** A request file for requests.lua: one line per token (conversation ids for reloads). */
    private Path lines(String name, List<String> conversations) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            switch (name) {
                case "reload.txt" -> b.append("GET\t/v1/conversations/").append(conversations.get(i)).append('\t').append(token).append("\t\n");
                case "me.txt" -> b.append("GET\t/v1/me\t").append(token).append("\t\n");
                default -> b.append("POST\t/v1/chat/museum\t").append(token).append("\t{\"ticket_id\":\"ticket-wrk-")
                        .append(i).append("\",\"message\":\"").append(QUESTION).append("\"}\n");
            }
        }
        Path file = dir.resolve(name);
        Files.writeString(file, b);
        return file;
    }

    /** One general conversation of 10 turns (20 messages) per token; returns their ids. */
    private List<String> seedConversations() throws Exception {
        List<String> ids = new ArrayList<>();
        for (String token : tokens) {
            String id = null;
            for (int turn = 0; turn < 10; turn++) {
                String body = id == null ? "{\"message\":\"Tell me about Monet\"}"
                        : "{\"conversation_id\":\"" + id + "\",\"message\":\"And then? " + turn + "\"}";
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
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

    /**
     * Grows the database by 1,000,000 messages in 5,000 conversations of 200 (1,000 users), with
     * 1,000,000 child rows (an image per assistant message, a source and a suggestion on every fourth
     * message), then VACUUM (ANALYZE), as autovacuum would have done while it grew; returns the number of
     * messages. Message ids are UUIDs as the agent makes them (random order: {@code md5} of a counter,
     * formatted as a UUID), so the indexes on them have the shape a real database's have.
     */
    static long grow(TestDatabase db) throws SQLException {
        try (Connection c = db.superuser(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO users (id, created_at) SELECT 'grow-u' || g, now() FROM generate_series(1, 1000) g");
            s.execute("""
                    INSERT INTO conversations (id, user_id, title, mode, created_at, updated_at)
                    SELECT 'grow-c' || g, 'grow-u' || (g % 1000 + 1), 'grown', 'general', now(), now()
                      FROM generate_series(1, 5000) g""");
            s.execute("""
                    INSERT INTO messages (id, conversation_id, seq, role, text, created_at)
                    SELECT md5('grow-m' || g)::uuid::text, 'grow-c' || ((g - 1) / 200 + 1), (g - 1) % 200 + 1,
                           CASE WHEN g % 2 = 0 THEN 'assistant' ELSE 'user' END,
                           'A grown message of a long conversation', now()
                      FROM generate_series(1, 1000000) g""");
            s.execute("""
                    INSERT INTO message_images (message_id, title, artist, image_path, score)
                    SELECT md5('grow-m' || g)::uuid::text, 'Starry Night', 'van Gogh', '/img/1.jpg', 0.9
                      FROM generate_series(2, 1000000, 2) g""");
            s.execute("""
                    INSERT INTO message_sources (message_id, title, uri, confidence)
                    SELECT md5('grow-m' || g)::uuid::text, 'Catalogue', 'https://museum/cat', 0.7
                      FROM generate_series(4, 1000000, 4) g""");
            s.execute("""
                    INSERT INTO message_suggestions (message_id, text, sequence)
                    SELECT md5('grow-m' || g)::uuid::text, 'When?', 0 FROM generate_series(4, 1000000, 4) g""");
            // A database grows over months, and autovacuum visits every table along the way. Right after a bulk
            // load of a million rows it has not yet: left alone, it vacuums the four big tables during the
            // next phases, on the same two CPUs and counted in PostgreSQL's CPU (which rose 40 % per reload).
            vacuum(s);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM messages")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** What autovacuum does to tables a load has grown, done before measuring: VACUUM (ANALYZE). */
    static void vacuum(Statement s) throws SQLException {
        s.execute("VACUUM (ANALYZE) users, conversations, messages, message_images, message_sources, message_suggestions");
    }

    /**
     * This JVM's CPU time: the agent runs in it (the benchmark's own threads only wait for wrk and
     * pgbench), so over a phase it is the agent's CPU for that phase's requests.
     */
    /** Time this JVM's JIT compiler threads spent compiling, in ms (the agent's code is most of it). */
    private static long jitMillis() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    private static long agentCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** User + system CPU seconds of the postmaster, its reaped children and its live children. */
    private double postgresCpuSeconds() throws IOException {
        double total = cpuTicks(postmaster, true);
        for (ProcessHandle child : ProcessHandle.of(postmaster).orElseThrow().children().toList()) {
            total += cpuTicks(child.pid(), false);
        }
        return total / TICKS;
    }

    private static double cpuTicks(long pid, boolean withReaped) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields after the command: state(0) ... utime(11) stime(12) cutime(13) cstime(14)
            double t = Double.parseDouble(f[11]) + Double.parseDouble(f[12]);
            return withReaped ? t + Double.parseDouble(f[13]) + Double.parseDouble(f[14]) : t;
        } catch (IOException e) {
            return 0; // exited between listing and reading: its time shows in the postmaster's reaped total
        }
    }

    private static void ratio(String name, double a, double b) {
        System.out.printf(Locale.ROOT, "%-32s %.2f%n", name, a / b);
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = WrkBench.class.getResourceAsStream(resource)) {
            Files.write(to, in.readAllBytes());
        }
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
    private record Result(String name, double rate, double p50, double p99, long errors, double requests,
                          double pgCpuPerThousand, double agentCpuPerThousand) {
    }
}
