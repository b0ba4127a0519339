package io.dataland.kit.db;

import io.dataland.kit.ServiceBoot;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.Settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.dataland.testkit.EmbeddedPg;

/**
 * Readiness follows the database: 200 while it is up, 503 (promptly) while it is stopped, 200 again
 * after it restarts; and the first request after the restart gets a working connection from the pool
 * (validated on borrow, the seed's pool_pre_ping), not a stale-connection error.
 */
class ReadinessRestartTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void readinessFollowsADatabaseRestart() throws Exception {
        int pgPort = freePort();
        Path data = dir.resolve("pgdata");
        EmbeddedPg pg = EmbeddedPg.start(data, pgPort, Map.of(), "restart-pw");
        pg.createDatabase("restart");
        Settings settings = Settings.load(Map.of("DATABASE_URL", pg.databaseUrl("restart"), "TEST_PORT", "0",
                "DB_POOL_SIZE", "2", "DB_MAX_OVERFLOW", "2", "DB_POOL_TIMEOUT", "5"), "kit-defaults.yaml");
        HikariDataSource ds = ServiceBoot.openPool("restart-test", settings, CredentialGuard.Service.AGENT);
        WebServer server = ServiceBoot.start(settings, "TEST_PORT", ds, routing -> routing.get("/probe", (req, res) -> {
            try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT 41 + 1")) {
                rs.next();
                res.send(Integer.toString(rs.getInt(1)));
            }
        }));
        String base = "http://127.0.0.1:" + server.port();
        try {
            assertEquals(200, get(base + "/observe/health").statusCode());
            assertEquals("42", get(base + "/probe").body());

            pg.close();
            long start = System.nanoTime();
            HttpResponse<String> down = get(base + "/observe/health");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(503, down.statusCode(), down.body());
            assertTrue(down.body().contains("\"status\":\"DOWN\""), down.body());
            assertTrue(millis < 4_000, "readiness answered in " + millis + " ms, not promptly");
            HttpResponse<String> probeDown = get(base + "/probe");
            assertEquals(503, probeDown.statusCode(), probeDown.body());
            assertTrue(probeDown.headers().firstValue("Retry-After").isPresent(), "503 carries Retry-After");
            assertTrue(probeDown.body().contains("\"error\":\"database_unavailable\""), probeDown.body());

            pg = EmbeddedPg.start(data, pgPort, Map.of(), "restart-pw");
            HttpResponse<String> first = get(base + "/probe");
            assertEquals(200, first.statusCode(), "first request after the restart: " + first.body());
            assertEquals("42", first.body());
            assertEquals(200, get(base + "/observe/health").statusCode());
        } finally {
            server.stop();
            ds.close();
            pg.close();
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
