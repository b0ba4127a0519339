package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.dataland.dev.Stack;

/**
 * A service (agent or auth) run as a child process from its built jar, its output in
 * {@code DIR/NAME.log}: started, awaited until {@code /observe/health} answers 200, stopped.
 */
record ServiceProcess(String name, Process process, int port, Path log) implements AutoCloseable {

    /** Starts {@code command} with {@code env} over a copy of this JVM's environment minus any DATABASE_URL. */
    static ServiceProcess start(String name, List<String> command, Map<String, String> env, int port, Path dir) throws IOException {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.contains("DATABASE_URL") || k.startsWith("AUTH_") || k.startsWith("AGENT_"));
        builder.environment().putAll(env);
        return new ServiceProcess(name, builder.start(), port, log);
    }

    /** {@code java [options] -jar ROOT/SERVICE/target/SERVICE.jar} with this JVM's java. */
    static List<String> javaJar(String service, List<String> jvmOptions) {
        Path jar = Ops.root().resolve(service).resolve("target").resolve(service + ".jar");
        if (!Files.exists(jar)) {
            fail(jar + " is missing: package " + service + " first");
        }
        var command = new java.util.ArrayList<String>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        return command;
    }

    /** Auth and the agent started together; closing kills both. */
    record Pair(ServiceProcess auth, ServiceProcess agent) implements AutoCloseable {
        @Override
        public void close() {
            agent.close();
            auth.close();
        }
    }

    /**
     * Auth from its jar (the compose JVM options) until healthy, then the agent (small heap) until healthy;
     * {@code authEnv} and {@code agentEnv} must set {@code AUTH_PORT} / {@code AGENT_PORT} to the ports given.
     */
    static Pair startAuthThenAgent(String suffix, Map<String, String> authEnv, int authPort,
                                   Map<String, String> agentEnv, int agentPort, Path dir) throws IOException, InterruptedException {
        ServiceProcess auth = start("auth-" + suffix, javaJar("auth", Stack.jvmOptions(Ops.root(), "auth")),
                authEnv, authPort, dir).awaitHealthy();
        ServiceProcess agent = start("agent-" + suffix, javaJar("agent", List.of("-Xmx256m", "-XX:+UseSerialGC")),
                agentEnv, agentPort, dir);
        Pair pair = new Pair(auth, agent);
        agent.awaitHealthy();
        return pair;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** GET {@code path} on the service. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits up to 90 s for health 200; fails with the service's log when it exits or never gets there. */
    ServiceProcess awaitHealthy() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        int last = -1;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail(name + " exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                last = get("/observe/health").statusCode();
                if (last == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        fail(name + " not healthy within 90 s (last status " + last + "):\n" + Files.readString(log));
        return this;
    }

    /** SIGTERM (what {@code docker stop} sends); returns the exit code, or fails after 20 s. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            fail(name + " ignored SIGTERM for 20 s");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
