package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import io.dataland.kit.telemetry.Tracing;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The auth's requests get the same telemetry as the agent's, from the same kit code: a server span per
 * request named by method and route with its status, and the {@code dataland_http_requests} timer.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class AuthTelemetryTest {

    @Test
    void aLoginIsOneServerSpanAndOneTimedRequest(TestDatabase db) throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        HttpClient http = HttpClient.newHttpClient();
        try (AuthServer server = AuthServer.start(AuthFixture.settings(db, Files.createTempDirectory("auth-data"),
                Map.of()), Tracing.exportingTo(exporter, "dataland-auth"))) {
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"nobody@example.org\",\"password\":\"x\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, login.statusCode());

            SpanData span = awaitServerSpan(exporter);
            assertEquals("POST /auth/login", span.getName());
            assertEquals(401L, span.getAttributes().get(AttributeKey.longKey("http.response.status_code")));

            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/observe/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("dataland_http_requests_seconds_count{")
                    && l.contains("route=\"/auth/login\"") && l.contains("status=\"401\"")), metrics);
        }
    }

    // the span ends after the response is written: wait for the exporter to have it
    private static SpanData awaitServerSpan(InMemorySpanExporter exporter) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<SpanData> spans = exporter.getFinishedSpanItems();
            for (SpanData span : spans) {
                if (span.getKind() == SpanKind.SERVER) {
                    return span;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no server span in " + spans);
            }
            Thread.sleep(20);
        }
    }
}
