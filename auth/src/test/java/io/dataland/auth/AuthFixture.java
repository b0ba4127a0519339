package io.dataland.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataland.kit.config.Settings;
import io.dataland.testkit.TestDatabase;

/**
 * A real auth server on a free port against a test database, with a throw-away {@code AUTH_DATA_DIR},
 * and a plain {@link HttpClient} to talk to it.
 */
final class AuthFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final AuthServer server;
    final Path dataDir;
    final String base;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private AuthFixture(AuthServer server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
        this.base = "http://127.0.0.1:" + server.port();
    }

    /** A server with a fresh data directory. */
    static AuthFixture start(TestDatabase db, Map<String, String> env) {
        try {
            return start(db, Files.createTempDirectory("auth-data"), env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server on {@code dataDir} (a restart reuses it). */
    static AuthFixture start(TestDatabase db, Path dataDir, Map<String, String> env) {
        return new AuthFixture(AuthServer.start(settings(db, dataDir, env)), dataDir);
    }

    static Settings settings(TestDatabase db, Path dataDir, Map<String, String> env) {
        Map<String, String> all = new HashMap<>();
        all.put("DATABASE_URL", db.databaseUrl());
        all.put("AUTH_PORT", "0");
        all.put("BIND_HOST", "127.0.0.1");
        all.put("AUTH_DATA_DIR", dataDir.toString());
        all.put("DB_POOL_SIZE", "2");
        all.put("DB_MAX_OVERFLOW", "8");
        // tests sign up many accounts from 127.0.0.1; SignupGateTest sets the limits it tests
        all.put("SIGNUP_LIMIT_PER_ADDRESS", "100000");
        all.put("SIGNUP_LIMIT_GLOBAL", "100000");
        all.putAll(env);
        return Settings.load(all, "application.yaml");
    }

    HttpResponse<String> postJson(String path, String json, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), headers);
    }

    HttpResponse<String> postForm(String path, String form, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)), headers);
    }

    HttpResponse<String> get(String path, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers);
    }

    HttpResponse<String> send(HttpRequest.Builder request, String... headers) {
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Signs up {@code email} / {@code password}; returns the 201 body. */
    JsonNode signup(String email, String password) {
        HttpResponse<String> res = postJson("/auth/signup",
                "{\"email\":" + quote(email) + ",\"password\":" + quote(password) + "}");
        if (res.statusCode() != 201) {
            throw new AssertionError("signup " + email + ": " + res.statusCode() + " " + res.body());
        }
        return json(res);
    }

    HttpResponse<String> login(String email, String password) {
        return postJson("/auth/login", "{\"email\":" + quote(email) + ",\"password\":" + quote(password) + "}");
    }

    /** Inserts a legacy row as the original stored it: {@code sha256(salt + password)} as hex; returns the hex. */
    static String insertLegacy(TestDatabase db, String sub, String email, String salt, String password) {
        try (Connection c = db.server().superuser(db.name());
             PreparedStatement s = c.prepareStatement("INSERT INTO auth_server_users (sub, email, hash, salt) VALUES (?, ?, ?, ?)")) {
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((salt + password).getBytes(StandardCharsets.UTF_8)));
            s.setString(1, sub);
            s.setString(2, email);
            s.setString(3, hash);
            s.setString(4, salt);
            s.executeUpdate();
            return hash;
        } catch (SQLException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stored {@code hash} and {@code salt} of the account {@code email}. */
    static String[] hashAndSalt(TestDatabase db, String email) {
        try (Connection c = db.server().superuser(db.name());
             PreparedStatement s = c.prepareStatement("SELECT hash, salt FROM auth_server_users WHERE email = ?")) {
            s.setString(1, email);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new AssertionError("no account " + email);
                }
                return new String[] {rs.getString(1), rs.getString(2)};
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> res) {
        try {
            return JSON.readTree(res.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + res.body(), e);
        }
    }

    static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
