package io.dataland.agent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataland.agent.AgentServer;
import io.dataland.kit.config.Settings;
import io.dataland.testkit.TestDatabase;

/**
 * A real agent on a free port over a test database, trusting {@link #mint} through a {@code JWKS_FILE},
 * with a plain JDK HTTP client: what the contract tests drive.
 */
public final class AgentHarness implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AgentServer server;
    private final TokenMint mint;
    private final TestDatabase db;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private AgentHarness(AgentServer server, TokenMint mint, TestDatabase db) {
        this.server = server;
        this.mint = mint;
        this.db = db;
    }

    /** Starts an agent on {@code db} with {@code extraEnv} on top of the test defaults. */
    /**
     * Chat abuse limits out of the way: most tests send many turns for one user, at once, which the
     * production limits (a burst of 20, 2 turns of one user at a time) would refuse. The limits have their
     * own tests (TurnLimitsTest), which set them through {@code extraEnv}.
     */
    public static final Map<String, String> UNLIMITED_TURNS = Map.of("CHAT_TURN_BURST", "100000",
            "CHAT_TURNS_PER_HOUR", "10000000", "CHAT_MAX_TURNS_PER_USER", "10000", "CHAT_MAX_MODEL_CALLS", "100000");

    public static AgentHarness start(TestDatabase db, Map<String, String> extraEnv) {
        return start(db, extraEnv, null);
    }

    /** As {@link #start(TestDatabase, Map)}, with query traces going to {@code tracing} (null: as configured). */
    public static AgentHarness start(TestDatabase db, Map<String, String> extraEnv, io.dataland.kit.telemetry.Tracing tracing) {
        try {
            TokenMint mint = TokenMint.create("test-key-1");
            Path jwks = Files.createTempFile("agent-jwks", ".json");
            Files.writeString(jwks, TokenMint.jwks(mint));
            jwks.toFile().deleteOnExit();
            Map<String, String> env = new HashMap<>();
            env.put("DATABASE_URL", db.databaseUrl());
            env.put("AGENT_PORT", "0");
            env.put("AUTH_JWKS_URL", "http://127.0.0.1:1/jwks.json");
            env.put("JWKS_FILE", jwks.toString());
            env.put("DB_POOL_SIZE", "4");
            env.put("DB_MAX_OVERFLOW", "8");
            env.putAll(UNLIMITED_TURNS);
            env.putAll(extraEnv);
            Settings settings = Settings.load(env, "application.yaml");
            return new AgentHarness(tracing == null ? AgentServer.start(settings) : AgentServer.start(settings, tracing), mint, db);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key the agent trusts. */
    public TokenMint mint() {
        return mint;
    }

    /** The running server. */
    public AgentServer server() {
        return server;
    }

    /** A valid token for {@code sub}. */
    public String token(String sub) {
        return mint.token(sub);
    }

    /** The agent's base URI. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** A request builder for {@code path} with {@code token} (null: none). */
    public HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    /** Sends {@code request}, reading the whole body. */
    public Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The client (streaming tests). */
    public HttpClient client() {
        return http;
    }

    /** GET {@code path} as {@code token}. */
    public Response get(String path, String token) {
        return send(request(path, token).GET().build());
    }

    /** DELETE {@code path} as {@code token}. */
    public Response delete(String path, String token) {
        return send(request(path, token).DELETE().build());
    }

    /** {@code method} {@code path} with a JSON body as {@code token}. */
    public Response json(String method, String path, String token, String body) {
        return send(request(path, token).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    /** POST a JSON body. */
    public Response post(String path, String token, String body) {
        return json("POST", path, token, body);
    }

    /** A JSON string literal of {@code text}. */
    public static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The single number {@code sql} selects (superuser connection). */
    public long count(String sql) {
        try (Connection c = db.superuser(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The single text {@code sql} selects (superuser connection). */
    public String text(String sql) {
        try (Connection c = db.superuser(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A digest of every agent table's rows (nothing-changed checks). */
    public String snapshot() {
        StringBuilder all = new StringBuilder();
        for (String table : java.util.List.of("users", "tickets", "conversations", "messages", "runs",
                "message_images", "message_sources", "message_suggestions")) {
            all.append(table).append('=').append(text("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM "
                    + table + " t")).append(' ');
        }
        return all.toString();
    }

    @Override
    public void close() {
        server.close();
    }

    /** A response: status, headers, body. */
    public record Response(int status, Map<String, java.util.List<String>> headers, String body) {

        /** The body as JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        /** The first value of header {@code name}, or null. */
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .findFirst().map(e -> e.getValue().getFirst()).orElse(null);
        }

        /** The {@code error} code of a JSON error body. */
        public String error() {
            return json().path("error").asText(null);
        }
    }
}
