package io.dataland.agent.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataland.agent.testing.AgentHarness;
import io.dataland.kit.http.JsonBody;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.RawHttp;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A refused request keeps its keep-alive connection, over a raw socket that sends the whole body while
 * reading the answer: 429 {@code too_many_turns}, 401 (bad token, body unread), 415 and 413 (up to the
 * server's drain limit) each answer in full, and a second request on the same connection is answered. A
 * body past the drain limit gets its 413 before the connection is closed.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class RefusedRequestConnectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A turn's JSON body of exactly {@code bytes} bytes. */
    private static byte[] turn(int bytes) {
        String head = "{\"message\":\"hello\",\"pad\":\"";
        byte[] body = (head + "x".repeat(bytes - head.length() - 2) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertEquals(bytes, body.length);
        return body;
    }

    @Test
    void refusedRequestsWithBodiesKeepTheirConnection(TestDatabase db) throws Exception {
        try (AgentHarness agent = AgentHarness.start(db, Map.of("CHAT_TURN_BURST", "1", "CHAT_TURNS_PER_HOUR", "1"))) {
            int port = agent.uri("/").getPort();
            String token = agent.token("refused-" + UUID.randomUUID());
            Map<String, String> json = Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json");
            assertEquals(200, agent.post("/v1/chat", token, "{\"message\":\"the one turn in the bucket\"}").status());
            String before = agent.snapshot();

            for (int size : new int[] {4 * 1024, 60 * 1024, JsonBody.MAX_BYTES}) {
                for (boolean chunked : new boolean[] {false, true}) {
                    String what = size + " bytes" + (chunked ? " chunked" : "");
                    refusedThenServed(port, token, json, turn(size), chunked, 429, "too_many_turns", what);
                    refusedThenServed(port, token, Map.of("Authorization", "Bearer not-a-token",
                            "Content-Type", "application/json"), turn(size), chunked, 401, "unauthorized", what);
                    refusedThenServed(port, token, Map.of("Authorization", "Bearer " + token,
                            "Content-Type", "text/plain"), turn(size), chunked, 415, "unsupported_media_type", what);
                }
            }
            // over the 64 KiB limit but within what the server drains: 413, and the connection lives on
            for (int size : new int[] {JsonBody.MAX_BYTES + 1, JsonBody.DRAIN_BYTES}) {
                for (boolean chunked : new boolean[] {false, true}) {
                    refusedThenServed(port, token, json, turn(size), chunked, 413, "payload_too_large",
                            size + " bytes" + (chunked ? " chunked" : ""));
                }
            }
            // a long request line (27 KB) is read and routed (404), not cut off with the connection
            try (RawHttp.KeepAlive connection = RawHttp.open(port)) {
                RawHttp.Answer answer = connection.send("GET", "/v1/conversations/" + "%78".repeat(9000),
                        Map.of("Authorization", "Bearer " + token), null, false);
                assertEquals(404, answer.status(), answer.body());
                assertEquals(200, connection.send("GET", "/v1/me", Map.of("Authorization", "Bearer " + token),
                        null, false).status(), "the connection survives a long request line");
            }
            assertEquals(before, agent.snapshot(), "no refused request wrote anything");
        }
    }

    @Test
    void aBodyPastTheDrainLimitGetsIts413BeforeTheConnectionCloses(TestDatabase db) throws Exception {
        try (AgentHarness agent = AgentHarness.start(db, Map.of())) {
            String token = agent.token("huge-" + UUID.randomUUID());
            byte[] huge = turn(2 * JsonBody.DRAIN_BYTES);
            for (boolean chunked : new boolean[] {false, true}) {
                RawHttp.Answer answer = RawHttp.post(agent.uri("/").getPort(), "/v1/chat",
                        Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"), huge, chunked);
                assertEquals(413, answer.status(), answer.body());
                assertEquals("payload_too_large", JSON.readTree(answer.body()).path("error").asText(), answer.body());
            }
        }
    }

    private static void refusedThenServed(int port, String token, Map<String, String> headers, byte[] body,
                                          boolean chunked, int status, String error, String what) throws Exception {
        try (RawHttp.KeepAlive connection = RawHttp.open(port)) {
            RawHttp.Answer refused = connection.send("POST", "/v1/chat", headers, body, chunked);
            assertEquals(status, refused.status(), what + ": " + refused.body());
            assertEquals(error, JSON.readTree(refused.body()).path("error").asText(), what + ": " + refused.body());
            assertTrue(!"close".equalsIgnoreCase(refused.headers().get("connection")), what + ": " + refused.headers());
            RawHttp.Answer next = connection.send("GET", "/v1/me", Map.of("Authorization", "Bearer " + token), null, false);
            assertEquals(200, next.status(), what + ": the next request on the same connection: " + next.body());
        }
    }
}
