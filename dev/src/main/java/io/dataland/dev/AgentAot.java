package io.dataland.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.Ports;

/**
 * The agent's JDK AOT cache outside a container: {@code agent/target/agent.aot}, next to the jar it was made
 * for, built by the training run the image uses ({@code containers/agent-aot-train.sh}) on the first stack
 * start after a build, and used from then on ({@link Stack#jvmOptions}). A cache is current when it is newer
 * than the jar and every jar of {@code libs/}, and was made by this JVM ({@code agent.aot.jvm} names it): the
 * JVM would refuse any other with a warning and boot without it.
 */
public final class AgentAot {

    private AgentAot() {
    }

    /** {@code agent/target/agent.aot}. */
    public static Path cache(Path root) {
        return root.resolve("agent/target/agent.aot");
    }

    /** Whether the cache exists, is newer than every jar of the class path, and was made by {@code java}. */
    public static boolean current(Path root, String java) {
        Path cache = cache(root);
        Path stamp = stamp(root);
        try {
            if (!Files.exists(cache) || !Files.exists(stamp) || !Files.readString(stamp).equals(jvm(java))) {
                return false;
            }
            FileTime made = Files.getLastModifiedTime(cache);
            return classPath(root).stream().allMatch(jar -> modified(jar).compareTo(made) < 0);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs the training run against a throw-away database {@code aot_training} of {@code pg} (dropped after)
     * with the agent's own JVM options, writing {@code agent/target/agent.aot}; its output goes to stdout.
     */
    public static void train(Path root, String java, EmbeddedPg pg) throws IOException, InterruptedException {
        String database = "aot_training";
        drop(pg, database);
        pg.createDatabase(database);
        try {
            List<String> command = new ArrayList<>(List.of("bash", root.resolve("containers/agent-aot-train.sh").toString(),
                    cache(root).toString(), java));
            command.addAll(Stack.argFile(root.resolve("agent/jvm.options")));
            command.addAll(List.of("-jar", root.resolve("agent/target/agent.jar").toString()));
            ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).inheritIO();
            builder.environment().put("DATABASE_URL", pg.databaseUrl(database));
            builder.environment().put("AGENT_PORT", Integer.toString(Ports.free()));
            int exit = builder.start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("the agent's AOT training run failed (exit " + exit + ", its output above)");
            }
            markMade(root, java);
        } finally {
            drop(pg, database);
        }
    }

    /** Records that {@code java} made the cache now at {@link #cache}. */
    static void markMade(Path root, String java) throws IOException {
        Files.writeString(stamp(root), jvm(java), StandardCharsets.UTF_8);
    }

    private static Path stamp(Path root) {
        return root.resolve("agent/target/agent.aot.jvm");
    }

    /** The JVM a cache belongs to: its launcher and its version (a JDK update invalidates the cache). */
    private static String jvm(String java) {
        return java + " " + System.getProperty("java.vm.version") + "\n";
    }

    private static List<Path> classPath(Path root) throws IOException {
        List<Path> jars = new ArrayList<>(List.of(root.resolve("agent/target/agent.jar")));
        try (Stream<Path> libs = Files.list(root.resolve("agent/target/libs"))) {
            libs.filter(p -> p.toString().endsWith(".jar")).forEach(jars::add);
        }
        return jars;
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void drop(EmbeddedPg pg, String database) {
        try (Connection c = pg.superuser("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop " + database, e);
        }
    }
}
