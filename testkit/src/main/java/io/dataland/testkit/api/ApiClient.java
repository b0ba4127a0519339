package io.dataland.testkit.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A plain JDK HTTP/1.1 client for the agent's API at one base URL (an agent, or HAProxy in front of
 * replicas): what the contract suite and the agent's tests drive. Nothing is retried or hidden.
 */
public class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** A client for {@code base}, e.g. {@code http://127.0.0.1:8000} (no trailing slash). */
    public ApiClient(String base) {
        this.base = base;
    }

    /** {@code path} on the base URL. */
    public URI uri(String path) {
        return URI.create(base + path);
    }

    /** The base URL's port (raw-socket requests, {@link io.dataland.testkit.RawHttp}). */
    public int port() {
        return uri("/").getPort();
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

    /** A response: status, headers, body. */
    public record Response(int status, Map<String, List<String>> headers, String body) {

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
