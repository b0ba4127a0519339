package io.dataland.dev.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.sun.net.httpserver.HttpServer;
import io.dataland.dev.AgentAot;
import io.dataland.dev.AuthBench;
import io.dataland.dev.Stack;
import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.Ports;
import io.jsonwebtoken.security.Jwks;

/**
 * The agent's boot time and idle memory, per JVM configuration: for each boot a fresh agent process (the
 * command the stack runs: {@link Stack#jvmOptions}, {@code -jar agent/target/agent.jar}) against embedded
 * PostgreSQL 16 whose schema is already at head (what a restart meets), and an auth JWKS endpoint that
 * answers. Measured per boot: wall time from the process start to the first 200 on {@code /observe/health}
 * (polled every 5 ms), the process's CPU time at that moment (user + system: less sensitive to a busy
 * machine than the wall time), and its RSS after {@code IDLE} seconds without requests (anonymous and
 * file-backed: the AOT cache is a mapped file). The configurations boot in turn, round after round, so a
 * change in the machine's load spreads over all of them; the load average is printed with every figure.
 *
 * <p>Configurations: {@code main} (the image's flags before issue 10: {@code -Xms512m -Xmx512m
 * -XX:+UseSerialGC}), {@code heap} ({@code agent/jvm.options}), {@code heap+arenas} (the same with
 * {@code MALLOC_ARENA_MAX=2}), {@code heap+arenas+aot} (and the AOT cache: the stack's command exactly). The
 * cache is trained first when it is not current for this build ({@link AgentAot}), and checked usable.
 *
 * <p>With {@code floor} the bench measures how far below the stack's command a boot can go: {@code main} and
 * {@code heap+arenas+aot} as before, {@code aot+c1} (the stack's command with {@code -XX:TieredStopAtLevel=1}:
 * no C2 compiler competing with the boot for the two cores, at the price of slower code once serving),
 * {@code floor} ({@link BootFloor}: a Helidon SE server with the agent's class path that answers its health
 * check with {@code SELECT 1}, with the agent's heap flags and an AOT cache trained on it) and
 * {@code floor+c1}.
 *
 * <p>Usage: {@code bin/bench-boot [BOOTS] [IDLE_SECONDS] [floor]} (defaults 5 and 30).
 */
public final class BootBench {

    /** A JVM configuration: flags, environment and what it runs (the agent's jar, or the floor's class). */
    private record Config(String name, List<String> jvm, Map<String, String> env, List<String> program) {
    }

    private record Boot(double seconds, double cpuSeconds, double rssMib, double anonMib, double fileMib, double load) {
    }

    private BootBench() {
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        int boots = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int idle = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Logger.getLogger("io.zonky").setLevel(Level.WARNING);
        Path root = Path.of(System.getProperty("dataland.root", ".")).toAbsolutePath().normalize();
        String java = ProcessHandle.current().info().command().orElse("java");
        Path dir = Files.createTempDirectory("bench-boot");
        // auth's JWKS as the agent fetches it at boot: one RS256 public key
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        byte[] keySet = ("{\"keys\":[" + Jwks.json(Jwks.builder().key((RSAPublicKey) generator.generateKeyPair().getPublic())
                .id("bench").build()) + "]}").getBytes(StandardCharsets.UTF_8);
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/.well-known/jwks.json", exchange -> {
            byte[] body = keySet;
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        try (EmbeddedPg pg = EmbeddedPg.start(dir.resolve("pgdata"), Ports.free(), Map.of("max_connections", "100"), "bench")) {
            pg.createDatabase("boot");
            if (!AgentAot.current(root, java)) {
                System.out.println("training the agent's AOT cache (not current for this build) ...");
                AgentAot.train(root, java, pg);
            }
            requireUsable(root, java);
            Map<String, String> env = new HashMap<>();
            env.put("DATABASE_URL", pg.databaseUrl("boot"));
            env.put("AUTH_JWKS_URL", "http://127.0.0.1:" + jwks.getAddress().getPort() + "/.well-known/jwks.json");
            env.put("BIND_HOST", "127.0.0.1");
            List<String> heap = Stack.argFile(root.resolve("agent/jvm.options"));
            List<String> agent = List.of("-jar", root.resolve("agent/target/agent.jar").toString(), "serve");
            Config main = new Config("main", List.of("-Xms512m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"), env,
                    agent);
            Config stack = new Config("heap+arenas+aot", Stack.jvmOptions(root, "agent"), with(env, "MALLOC_ARENA_MAX", "2"), agent);
            if (!stack.jvm().stream().anyMatch(o -> o.startsWith("-XX:AOTCache="))) {
                throw new IllegalStateException("Stack.jvmOptions names no AOT cache although it is current");
            }
            List<Config> configs;
            if (args.length > 2 && args[2].equals("floor")) {
                Map<String, String> floorEnv = with(stack.env(), "FLOOR_JDBC_URL", pg.jdbcUrl("boot"));
                floorEnv.put("FLOOR_USER", EmbeddedPg.APP_USER);
                floorEnv.put("FLOOR_PASSWORD", pg.appPassword());
                List<String> floorProgram = floorProgram(root, dir);
                Path floorCache = trainFloor(java, heap, floorEnv, floorProgram, dir);
                List<String> floorJvm = new ArrayList<>(heap);
                floorJvm.add("-XX:AOTCache=" + floorCache);
                configs = List.of(main, stack,
                        new Config("aot+c1", plus(stack.jvm(), "-XX:TieredStopAtLevel=1"), stack.env(), agent),
                        new Config("floor", floorJvm, floorEnv, floorProgram),
                        new Config("floor+c1", plus(floorJvm, "-XX:TieredStopAtLevel=1"), floorEnv, floorProgram));
            } else {
                configs = List.of(main,
                        new Config("heap", heap, env, agent),
                        new Config("heap+arenas", heap, with(env, "MALLOC_ARENA_MAX", "2"), agent),
                        stack);
            }
            System.out.printf(Locale.ROOT, "agent boot: %d boots per configuration, %d s idle, %s, load average %.2f%n",
                    boots, idle, java, loadAverage());
            boot(root, java, stack, dir, 0); // migrates the schema once: every measured boot meets it at head
            Map<String, List<Boot>> results = new LinkedHashMap<>();
            for (int round = 1; round <= boots; round++) {
                for (Config config : configs) {
                    Boot b = boot(root, java, config, dir, idle);
                    results.computeIfAbsent(config.name(), k -> new ArrayList<>()).add(b);
                    System.out.printf(Locale.ROOT, "round %d %-16s boot %6.3f s  cpu %5.2f s  idle RSS %5.1f MiB"
                                    + " (anon %5.1f, file %5.1f)  load %.2f%n", round, config.name(), b.seconds(), b.cpuSeconds(),
                            b.rssMib(), b.anonMib(), b.fileMib(), b.load());
                }
            }
            report(results, idle);
        } finally {
            jwks.stop(0);
        }
    }

    private static void report(Map<String, List<Boot>> results, int idle) {
        Boot base = median(results.values().iterator().next());
        System.out.println();
        System.out.printf(Locale.ROOT, "%-16s %9s %7s %9s %7s %12s %7s %11s %11s%n", "median of runs", "boot s", "x main",
                "cpu s", "x main", "idle RSS MiB", "x main", "anon / file", "load range");
        for (Map.Entry<String, List<Boot>> e : results.entrySet()) {
            Boot m = median(e.getValue());
            double minLoad = e.getValue().stream().mapToDouble(Boot::load).min().orElseThrow();
            double maxLoad = e.getValue().stream().mapToDouble(Boot::load).max().orElseThrow();
            System.out.printf(Locale.ROOT, "%-16s %9.3f %7.2f %9.2f %7.2f %12.1f %7.2f %5.1f/%5.1f %5.2f-%5.2f%n", e.getKey(),
                    m.seconds(), m.seconds() / base.seconds(), m.cpuSeconds(), m.cpuSeconds() / base.cpuSeconds(), m.rssMib(),
                    m.rssMib() / base.rssMib(), m.anonMib(), m.fileMib(), minLoad, maxLoad);
        }
        System.out.printf(Locale.ROOT, "goal (issue 10): boot <= 0.6 s, idle RSS <= 150 MiB after %d s idle; load average now %.2f%n",
                idle, loadAverage());
    }

    /** Each figure's own median (so a row need not be one boot). */
    private static Boot median(List<Boot> boots) {
        return new Boot(median(boots, Boot::seconds), median(boots, Boot::cpuSeconds), median(boots, Boot::rssMib),
                median(boots, Boot::anonMib), median(boots, Boot::fileMib), median(boots, Boot::load));
    }

    private static double median(List<Boot> boots, java.util.function.ToDoubleFunction<Boot> figure) {
        double[] values = boots.stream().mapToDouble(figure).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /** One boot: start, first 200 on /observe/health, {@code idle} seconds, RSS, SIGTERM. */
    private static Boot boot(Path root, String java, Config config, Path dir, int idle) throws Exception {
        int port = Ports.free();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(config.jvm());
        command.addAll(config.program());
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(config.name() + ".log").toFile());
        builder.environment().remove("MALLOC_ARENA_MAX");
        builder.environment().putAll(config.env());
        builder.environment().put("AGENT_PORT", Integer.toString(port));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health"))
                .timeout(Duration.ofSeconds(5)).build();
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            long deadline = start + Duration.ofSeconds(300).toNanos();
            while (true) {
                try {
                    if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(config.name() + ": no 200 on /observe/health; see " + dir.resolve(config.name() + ".log"));
                }
                Thread.sleep(5);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpu = process.toHandle().info().totalCpuDuration().orElseThrow().toNanos() / 1e9;
            Thread.sleep(idle * 1000L);
            Boot boot = new Boot(seconds, cpu, mib(process.pid(), "VmRSS"), mib(process.pid(), "RssAnon"),
                    mib(process.pid(), "RssFile"), loadAverage());
            // A JVM that cannot use its cache says so (and boots without it). JDK 25.0.3 also warns that one
            // call adapter of the cache cannot be linked (it makes that one afresh): not a refusal.
            List<String> refusals = Files.readAllLines(dir.resolve(config.name() + ".log")).stream()
                    .filter(line -> line.contains("[aot") && (line.contains("[error]") || line.contains("mismatch")
                            || line.contains("Unable") || line.contains("disabled")))
                    .toList();
            if (!refusals.isEmpty()) {
                throw new IllegalStateException(config.name() + ": the JVM did not use its AOT cache: " + refusals);
            }
            return boot;
        } finally {
            process.destroy();
            process.waitFor();
        }
    }

    /**
     * The cache must be usable by the stack's command: with {@code -XX:AOTMode=on} a JVM that cannot use it
     * exits 1 before main; the agent's usage answer (2) shows it booted with the cache.
     */
    private static void requireUsable(Path root, String java) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(Stack.jvmOptions(root, "agent"));
        command.addAll(List.of("-XX:AOTMode=on", "-jar", root.resolve("agent/target/agent.jar").toString(), "aot-check"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 2) {
            throw new IllegalStateException("the JVM does not use " + AgentAot.cache(root) + ":\n" + out);
        }
    }

    private static double mib(long pid, String key) throws IOException {
        return AuthBench.procStatus(pid, key) / 1024.0;
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** The floor's class in a jar of its own (an AOT cache takes jars only) and the agent's libraries. */
    private static List<String> floorProgram(Path root, Path dir) throws IOException {
        Path jar = dir.resolve("floor.jar");
        String entry = BootFloor.class.getName().replace('.', '/') + ".class";
        try (InputStream in = BootFloor.class.getClassLoader().getResourceAsStream(entry);
                JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return List.of("-cp", jar + ":" + root.resolve("agent/target/libs") + "/*", BootFloor.class.getName());
    }

    /**
     * The floor's AOT cache, trained as the agent's is: boot with {@code -XX:AOTCacheOutput}, 500 health
     * checks, SIGTERM (the JVM writes the cache as it exits).
     */
    private static Path trainFloor(String java, List<String> heap, Map<String, String> env, List<String> program, Path dir)
            throws Exception {
        Path cache = dir.resolve("floor.aot");
        int port = Ports.free();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(heap);
        command.add("-XX:AOTCacheOutput=" + cache);
        command.addAll(program);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("floor-train.log").toFile());
        builder.environment().putAll(env);
        builder.environment().put("AGENT_PORT", Integer.toString(port));
        Process process = builder.start();
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build();
        int answered = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (answered < 500 && process.isAlive() && System.nanoTime() < deadline) {
            try {
                if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    answered++;
                }
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        process.destroy();
        process.waitFor();
        if (answered < 500 || !Files.isRegularFile(cache)) {
            throw new IllegalStateException("the floor's training run failed; see " + dir.resolve("floor-train.log"));
        }
        return cache;
    }

    private static List<String> plus(List<String> flags, String flag) {
        List<String> copy = new ArrayList<>(flags);
        copy.add(flag);
        return copy;
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put(key, value);
        return copy;
    }
}
