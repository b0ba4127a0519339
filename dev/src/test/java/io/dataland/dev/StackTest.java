package io.dataland.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-command stack: embedded PostgreSQL, then auth and agent as child processes (the built jars),
 * both healthy; a stop ends all three; a second start reuses the data directory.
 */
class StackTest {

    @TempDir
    Path state;

    @Test
    void bringsBothServicesToHealthyAndKeepsTheDataAcrossRestarts() throws Exception {
        Path root = Path.of(System.getProperty("dataland.root", "..")).toAbsolutePath().normalize();
        int pgPort = freePort();
        Map<String, String> env = Map.of("DEV_DATA_DIR", state.toString(), "DEV_PG_PORT", Integer.toString(pgPort),
                "AGENT_PORT", Integer.toString(freePort()), "AUTH_PORT", Integer.toString(freePort()));
        HttpClient http = HttpClient.newHttpClient();

        Stack.Urls urls;
        try (Stack stack = new Stack(root, env)) {
            urls = stack.start();
            for (String base : new String[] {urls.agent(), urls.auth()}) {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/observe/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), base + ": " + health.body());
                assertTrue(health.body().contains("\"database\""), health.body());
            }
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/dataland",
                    "dataland", "dataland")) {
                c.createStatement().execute("CREATE TABLE stack_marker(note text); INSERT INTO stack_marker VALUES ('kept')");
            }
            assertEquals(2, stack.children().size());
            // the agent boots from its AOT cache, trained on the first start after a build when not current
            String java = ProcessHandle.current().info().command().orElse("java");
            assertTrue(AgentAot.current(root, java), "the stack left no current AOT cache");
            List<String> agentArgs = List.of(stack.children().getLast().info().arguments().orElseThrow());
            assertTrue(agentArgs.contains("-XX:AOTCache=" + AgentAot.cache(root)), "the agent runs without its cache: " + agentArgs);
            stack.close();
            for (Process child : stack.children()) {
                assertFalse(child.isAlive(), "a service outlived the stop");
            }
            assertTrue(stack.children().isEmpty() || stack.children().stream().noneMatch(Process::isAlive));
        }
        assertTrue(Files.exists(state.resolve("pgdata/PG_VERSION")), "the data directory is kept");

        try (Stack again = new Stack(root, env)) {
            again.start();
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/dataland",
                    "dataland", "dataland"); ResultSet rs = c.createStatement().executeQuery("SELECT note FROM stack_marker")) {
                assertTrue(rs.next(), "the second start lost the data");
                assertEquals("kept", rs.getString(1));
            }
        }
        HttpResponse<Void> after = null;
        try {
            after = http.send(HttpRequest.newBuilder(URI.create(urls.agent() + "/observe/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException expected) {
            // connection refused: the agent is gone
        }
        assertEquals(null, after, "the agent still answers after the stop");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
