package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production scale-out topology ({@code compose/fleet.compose.yml} and {@code compose/haproxy/})
 * read as data: PgBouncer in transaction mode, replicated agents through it that migrate straight to
 * PostgreSQL, the fleet budget's arithmetic, and an HAProxy configuration that health-checks the replicas
 * and that HAProxy itself accepts.
 */
class FleetComposeTest {

    @TempDir
    Path tmp;

    private static Map<String, Map<String, Object>> services() throws IOException {
        return ComposeFilesTest.services(Ops.composeDir().resolve("fleet.compose.yml"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> env(Map<String, Object> service) {
        return (Map<String, Object>) service.get("environment");
    }

    /** The default of a {@code ${VAR:-default}} value, or the value itself. */
    private static int number(Object value) {
        Matcher m = Pattern.compile("\\$\\{[A-Z_]+:-(\\d+)}").matcher(String.valueOf(value));
        return Integer.parseInt(m.matches() ? m.group(1) : String.valueOf(value));
    }

    @Test
    void pgbouncerPoolsTransactionsAndTheReplicasGoThroughItButMigrateStraightToPostgres() throws IOException {
        Map<String, Map<String, Object>> services = services();
        Map<String, Object> bouncer = env(services.get("pgbouncer"));
        assertEquals("transaction", bouncer.get("POOL_MODE"));
        assertTrue(String.valueOf(bouncer.get("IGNORE_STARTUP_PARAMETERS")).contains("extra_float_digits"));
        assertEquals("dataland-postgres", bouncer.get("DB_HOST"));

        Map<String, Object> agent = services.get("agent");
        assertNull(agent.get("ports"), "replicas publish no port: HAProxy is the entry point");
        assertNull(agent.get("container_name"));
        @SuppressWarnings("unchecked")
        Map<String, Object> deploy = (Map<String, Object>) agent.get("deploy");
        assertEquals("${AGENT_REPLICAS:-3}", deploy.get("replicas"));
        Map<String, Object> e = env(agent);
        assertEquals("transaction", e.get("DB_POOL_MODE"));
        assertTrue(String.valueOf(e.get("DATABASE_URL")).contains("@dataland-pgbouncer:6432/"), e.toString());
        assertTrue(String.valueOf(e.get("MIGRATION_DATABASE_URL")).contains("@dataland-postgres:5432/"), e.toString());
        assertEquals(deploy.get("replicas"), e.get("DB_EXPECTED_INSTANCES"), "the budget counts the replicas compose starts");
        assertEquals(bouncer.get("MAX_CLIENT_CONN"), e.get("DB_BOUNCER_MAX_CLIENT_CONN"));
        assertEquals(bouncer.get("MAX_DB_CONNECTIONS"), e.get("DB_BOUNCER_SERVER_CONNECTIONS"));
    }

    @Test
    void theFleetBudgetFitsAsWritten() throws IOException {
        Map<String, Map<String, Object>> services = services();
        Map<String, Object> agent = env(services.get("agent"));
        Map<String, Object> bouncer = env(services.get("pgbouncer"));
        int clients = number(agent.get("DB_EXPECTED_INSTANCES"))
                * (number(agent.get("DB_POOL_SIZE")) + number(agent.get("DB_MAX_OVERFLOW")));
        assertTrue(clients <= number(bouncer.get("MAX_CLIENT_CONN")), clients + " client connections");
        Map<String, Object> auth = env(ComposeFilesTest.services(Ops.composeDir().resolve("compose.yml")).get("auth"));
        int authWorst = number(auth.get("DB_POOL_SIZE")) + number(auth.get("DB_MAX_OVERFLOW"));
        // compose.yml's max_connections=100 minus the 3 superuser-reserved ones
        int server = number(bouncer.get("MAX_DB_CONNECTIONS")) + authWorst + number(agent.get("DB_EXPECTED_INSTANCES"));
        assertTrue(server <= 97, "PgBouncer's server connections + auth's pool + one migration connection per replica = " + server);
    }

    @Test
    void haproxyHealthChecksTheReplicasAndAnswersJsonWhenNoneIsUp() throws IOException {
        String cfg = Files.readString(Ops.composeDir().resolve("haproxy/haproxy.cfg"));
        assertTrue(cfg.contains("option httpchk") && cfg.contains("http-check send meth GET uri /observe/health ver HTTP/1.1 hdr Host"), cfg);
        assertTrue(cfg.contains("http-check expect status 200"), cfg);
        assertTrue(cfg.contains("server-template agent") && cfg.contains(" check "), cfg);
        assertFalse(cfg.contains("http-buffer-request") || cfg.contains("compression"), "SSE must not be buffered");
        byte[] raw = Files.readAllBytes(Ops.composeDir().resolve("haproxy/503.http"));
        String http = new String(raw, StandardCharsets.UTF_8);
        assertTrue(http.startsWith("HTTP/1.1 503 "), http);
        String body = http.substring(http.indexOf("\r\n\r\n") + 4);
        assertTrue(http.contains("Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"), http);
        assertTrue(body.startsWith("{\"error\":\"service_unavailable\""), body);
    }

    @Test
    void haproxyAcceptsTheConfiguration() throws IOException {
        Path haproxy = Ops.requireTool("haproxy", "haproxy");
        // the error file's path is the container's; point it at the repository's copy
        String cfg = Files.readString(Ops.composeDir().resolve("haproxy/haproxy.cfg")).replace(
                "/usr/local/etc/haproxy/503.http", Ops.composeDir().resolve("haproxy/503.http").toString());
        Path local = Files.writeString(tmp.resolve("haproxy.cfg"), cfg);
        Ops.Result check = Ops.run(List.of(haproxy.toString(), "-c", "-f", local.toString()), tmp, Map.of(), 30);
        assertEquals(0, check.exit(), check.all());
        assertTrue(check.all().contains("Configuration file is valid"), check.all());
    }
}
