package io.dataland.dev.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.agent.AgentServer;
import io.dataland.agent.chat.FinishTurn;
import io.dataland.agent.chat.MuseumStart;
import io.dataland.agent.chat.TurnRepository;
import io.dataland.agent.message.MessageImage;
import io.dataland.agent.message.MessageSource;
import io.dataland.agent.run.RunOutcome;
import io.dataland.agent.run.RunStatus;
import io.dataland.agent.schema.Migrations;
import io.dataland.agent.user.UserClaims;
import io.dataland.agent.user.UserRepository;
import io.dataland.kit.db.MyBatis;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.TestDatabase;

/**
 * One museum turn's SQL through the agent's repositories (MyBatis over HikariCP, in-process) against the
 * same statements as a {@code pgbench} custom script ({@code bench/museum-turn.sql}), on one embedded
 * PostgreSQL 16, same clients, same duration, same run; prints both rates and their ratio.
 *
 * <p>A turn is: get-or-create the user (1 statement, its own transaction); begin the museum turn
 * (register ticket, ensure conversation, lock + append user message, open run: 5 statements, one
 * transaction); finish it (lock + append assistant message, 2 images, 1 source, 3 suggestions as three
 * multi-row inserts, close run: 6 statements, one transaction). Each client is one visitor with one
 * ticket, so its conversation grows through the run.
 *
 * <pre>
 * bin/bench-store [SECONDS] [CLIENTS] [ROUNDS]      (defaults 10, 16 and 3)
 * </pre>
 *
 * The two sides alternate for {@code ROUNDS} rounds of {@code SECONDS} each (after a warm-up of both), so
 * a change in the machine's load hits both; each round and the means are printed, with the load average.
 */
public final class StoreBench {

    /** Client threads: platform threads (-Dbench.threads=virtual for virtual ones, as Helidon's requests). */
    private static final Thread.Builder THREADS = "virtual".equals(System.getProperty("bench.threads"))
            ? Thread.ofVirtual() : Thread.ofPlatform();

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

    private StoreBench() {
    }

    /** Entry point: {@code [seconds] [clients]}. */
    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("io.zonky").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("org.flywaydb").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("com.zaxxer.hikari").setLevel(java.util.logging.Level.WARNING);
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String pgbench = findPgbench();
        String password = "bench-" + ProcessHandle.current().pid();
        try (EmbeddedPg pg = EmbeddedPg.start(null, 0, Map.of("max_connections", "100"), password)) {
            pg.createDatabase("bench");
            TestDatabase db = new TestDatabase(pg, "bench");
            try (HikariDataSource dataSource = db.newDataSource(clients)) {
                new Migrations(dataSource).migrate();
                UnitOfWork work = new UnitOfWork(MyBatis.sessionFactory("bench", dataSource, AgentServer.MAPPERS, List.of()));
                Path script = Files.createTempFile("museum-turn", ".sql");
                try (InputStream in = StoreBench.class.getResourceAsStream("/bench/museum-turn.sql")) {
                    Files.write(script, in.readAllBytes());
                }
                System.out.printf(Locale.ROOT, "store bench: PostgreSQL 16 (embedded, fsync off), %d clients, %d rounds of %d s per side"
                        + " (alternating), %d CPUs, load average %.1f%n", clients, rounds, seconds,
                        Runtime.getRuntime().availableProcessors(), loadAverage());
                // warm-ups: the JIT and the pgjdbc statement caches, and the tables, for both sides
                repositories(work, clients, Math.max(20, 2 * seconds), "warm");
                pgbench(pgbench, pg, db, script, clients, Math.max(2, seconds / 4));
                double javaSum = 0;
                double benchSum = 0;
                List<Double> ratios = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    double java = repositories(work, clients, seconds, "java");
                    double bench = pgbench(pgbench, pg, db, script, clients, seconds);
                    javaSum += java;
                    benchSum += bench;
                    ratios.add(java / bench);
                    double cpu = lastCpuPerTurnMillis;
                    System.out.printf(Locale.ROOT, "round %d: repositories %8.1f turns/s (JVM CPU %.2f ms/turn), pgbench %8.1f turns/s,"
                            + " ratio %.2f (load %.1f)%n", round, java, cpu, bench, java / bench, loadAverage());
                }
                double java = javaSum / rounds;
                double bench = benchSum / rounds;
                System.out.printf(Locale.ROOT, "repositories (MyBatis, in-process): %10.1f turns/s (mean of %d rounds)%n", java, rounds);
                System.out.printf(Locale.ROOT, "pgbench -M prepared (same SQL):     %10.1f turns/s (mean of %d rounds)%n", bench, rounds);
                System.out.printf(Locale.ROOT, "ratio repositories / pgbench:       %10.2f (of the means; median of the rounds' ratios %.2f,"
                        + " range %.2f-%.2f)%n", java / bench, median(ratios), Collections.min(ratios),
                        Collections.max(ratios));
                System.out.printf(Locale.ROOT, "statements per turn: 12 in 3 transactions (both sides)%n");
                Files.deleteIfExists(script);
            }
        }
    }

    /** Runs turns on {@code clients} threads for {@code seconds}; returns turns per second. */
    static double repositories(UnitOfWork db, int clients, int seconds, String prefix) throws InterruptedException {
        List<MessageImage> images = List.of(
                new MessageImage("The Starry Night", "Vincent van Gogh", "/images/starry-night.jpg", 0.93, null),
                new MessageImage("Irises", "Vincent van Gogh", "/images/irises.jpg", 0.71, null));
        List<MessageSource> sources = List.of(new MessageSource("Collection catalogue", "https://museum.example/catalogue/472", 0.82, null));
        List<String> suggestions = List.of("When was it painted?", "What else did he paint here?", "Where is the next room?");
        RunOutcome outcome = new RunOutcome("gemini-3.5-flash", 812, 64, 0.00021, RunStatus.SUCCESS, null);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < clients; i++) {
            String sub = "bench-" + prefix + "-" + i;
            String ticket = "ticket-" + prefix + "-" + i;
            UserClaims claims = new UserClaims(sub, sub + "@bench.example", "Bench Visitor", "Hall 1", null, null, null, null);
            threads.add(THREADS.start(() -> {
                try {
                    start.await();
                    while (!stop.get()) {
                        UserRepository.getOrCreate(db, claims);
                        MuseumStart.Started started = (MuseumStart.Started) db.inTransaction(session ->
                                TurnRepository.beginMuseum(session, sub, ticket, null,
                                        "Who painted the picture in front of me?", 0));
                        FinishTurn finish = new FinishTurn(ticket, sub, started.start().run().id(),
                                "That is The Starry Night by Vincent van Gogh, painted in June 1889 at Saint-Remy.",
                                images, sources, suggestions, outcome);
                        db.inTransaction(session -> TurnRepository.finish(session, finish)).orElseThrow();
                        done.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        start.countDown();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        lastCpuPerTurnMillis = done.get() == 0 ? 0 : (processCpuNanos() - cpu0) / 1e6 / done.get();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a benchmark client failed", failures.getFirst());
        }
        return done.get() / elapsed;
    }

    /** Runs pgbench with {@code script}; returns its tps (one transaction = one script = one turn). */
    static double pgbench(String pgbench, EmbeddedPg pg, TestDatabase db, Path script, int clients, int seconds)
            throws IOException, InterruptedException {
        // the script reads its visitors' users rows (as the agent does for a known token): create them once
        try (java.sql.Connection c = db.superuser(); java.sql.Statement s = c.createStatement()) {
            s.execute("INSERT INTO users (id, email, full_name, location, created_at) SELECT 'bench-pg-' || g, "
                    + "'bench-pg-' || g || '@bench.example', 'Bench Visitor', 'Hall 1', now() "
                    + "FROM generate_series(0, " + (clients - 1) + ") g ON CONFLICT (id) DO NOTHING");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("creating the pgbench visitors failed", e);
        }
        ProcessBuilder builder = new ProcessBuilder(pgbench, "-n", "-M", "prepared", "-c", String.valueOf(clients),
                "-j", "2", "-T", String.valueOf(seconds), "-f", script.toString(),
                "-h", "127.0.0.1", "-p", String.valueOf(pg.port()), "-U", EmbeddedPg.APP_USER, db.name());
        builder.environment().put("PGPASSWORD", pg.appPassword());
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("pgbench failed:\n" + output);
        }
        Matcher m = TPS.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("no tps in pgbench output:\n" + output);
        }
        if (!output.contains("number of failed transactions: 0")) {
            throw new IllegalStateException("pgbench reported failed transactions:\n" + output);
        }
        return Double.parseDouble(m.group(1));
    }

    /** The benchmark JVM's CPU time per turn in the last {@link #repositories} run. */
    private static volatile double lastCpuPerTurnMillis;

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static String findPgbench() {
        for (String candidate : List.of("/usr/lib/postgresql/15/bin/pgbench", "/usr/lib/postgresql/16/bin/pgbench")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "pgbench";
    }
}
