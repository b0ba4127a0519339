package io.dataland.dev.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.helidon.webserver.WebServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The floor under the agent's boot (issue 10 item 4): the least a Helidon SE server that answers a health
 * check from PostgreSQL does at boot. One route, {@code GET /observe/health}, runs {@code SELECT 1} through
 * a HikariCP pool of two connections and answers 200. Booted by {@link BootBench} ({@code bin/bench-boot
 * BOOTS IDLE floor}) with the agent's class path ({@code agent/target/libs}, so Helidon discovers and starts
 * the same features: observe, health, metrics, OpenAPI), the agent's JVM flags and an AOT cache trained on
 * this class: no settings, credential guard, schema check, MyBatis, JWKS or API. Not part of any service.
 *
 * <p>Environment: {@code AGENT_PORT}, {@code FLOOR_JDBC_URL}, {@code FLOOR_USER}, {@code FLOOR_PASSWORD}.
 */
public final class BootFloor {

    private BootFloor() {
    }

    /** Entry point. */
    public static void main(String[] args) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(System.getenv("FLOOR_JDBC_URL"));
        config.setUsername(System.getenv("FLOOR_USER"));
        config.setPassword(System.getenv("FLOOR_PASSWORD"));
        config.setMaximumPoolSize(2);
        HikariDataSource pool = new HikariDataSource(config);
        WebServer.builder()
                .host("127.0.0.1")
                .port(Integer.parseInt(System.getenv("AGENT_PORT")))
                .routing(routing -> routing.get("/observe/health", (request, response) -> {
                    try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery("SELECT 1")) {
                        rs.next();
                        response.send("{\"status\":\"UP\"}");
                    } catch (SQLException e) {
                        response.status(503).send("{\"status\":\"DOWN\"}");
                    }
                }))
                .build()
                .start();
    }
}
