package io.dataland.kit.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A request over {@code SERVER_MAX_CONCURRENT_REQUESTS} is refused by Helidon before routing; the refusal is
 * the contract's 503 {@code server_busy} JSON error with {@code Retry-After}, like every other refusal, and
 * the requests in progress are not disturbed by it.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ConcurrencyLimitTest {

    @Test
    void aRequestOverTheLimitIs503ServerBusyJson(TestDatabase database) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        KitServer server = KitServer.start(database, "concurrency-limit-test", Map.of("SERVER_MAX_CONCURRENT_REQUESTS", "1"),
                routing -> routing
                        .get("/hold", (req, res) -> {
                            entered.countDown();
                            res.send(release.await(30, TimeUnit.SECONDS) ? "released" : "timed out");
                        })
                        .get("/quick", (req, res) -> res.send("quick")));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + server.port();
        try {
            CompletableFuture<HttpResponse<String>> held = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(base + "/hold")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the first request reached its handler");

            HttpResponse<String> busy = http.send(HttpRequest.newBuilder(URI.create(base + "/quick"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, busy.statusCode(), busy.body());
            assertTrue(busy.headers().firstValue("content-type").orElse("").startsWith("application/json"),
                    "JSON: " + busy.headers().map());
            JsonNode error = Json.MAPPER.readTree(busy.body());
            assertEquals("server_busy", error.path("error").asText(), busy.body());
            assertTrue(!error.path("message").asText().isBlank(), busy.body());
            long retryAfter = Long.parseLong(busy.headers().firstValue("retry-after").orElse("0"));
            assertTrue(retryAfter >= 1, "Retry-After of at least a second: " + busy.headers().map());

            release.countDown();
            HttpResponse<String> first = held.get(10, TimeUnit.SECONDS);
            assertEquals(200, first.statusCode());
            assertEquals("released", first.body(), "the request in progress was not disturbed");

            HttpResponse<String> after = http.send(HttpRequest.newBuilder(URI.create(base + "/quick"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, after.statusCode(), "served again once under the limit: " + after.body());
        } finally {
            release.countDown();
            server.close();
        }
    }
}
