package io.dataland.kit.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;

import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.helidon.http.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that sends {@code Expect: 100-continue} waits for the server before it sends the body. A
 * refusal before the body is read (401, the 413 of a declared length over the limit) is answered at once
 * with {@code Connection: close} instead of waiting for a body that never comes; a handler that reads the
 * body gets it after Helidon's {@code 100 Continue}. The socket here never sends a body it was not asked
 * for, as a client waiting for the interim answer would not: the read times out (10 s) where the server
 * waits.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ExpectContinueTest {

    private static KitServer server;

    @BeforeAll
    static void start(TestDatabase database) {
        server = KitServer.start(database, "expect-continue-test", Map.of(), routing -> routing
                .post("/refuse", (req, res) -> {
                    throw new ApiException(Status.UNAUTHORIZED_401, ErrorCodes.UNAUTHORIZED, "missing bearer token");
                })
                .post("/echo", (req, res) -> res.send("read " + req.content().as(String.class).length() + " bytes")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRefusalIsAnsweredAtOnceWithoutTheBody() throws IOException {
        assertAnsweredWithoutBody("/refuse", 3000, 401, "unauthorized");
    }

    @Test
    void aDeclaredLengthOverTheLimitIsAnsweredAtOnce() throws IOException {
        assertAnsweredWithoutBody("/echo", 100_000, 413, "payload_too_large");
    }

    /** Headers with {@code Expect: 100-continue} and no body: the JSON error, and the server will not read on. */
    private static void assertAnsweredWithoutBody(String path, int length, int status, String code) throws IOException {
        RawHttp.Answer answer = RawHttp.exchange(server.port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + length + "\r\nExpect: 100-continue\r\n\r\n");
        assertEquals(status, answer.status(), answer.text());
        assertTrue(answer.body().contains("\"error\":\"" + code + "\""), answer.text());
        assertEquals("close", answer.header("connection"), "the server will not read the body: " + answer.text());
    }

    @Test
    void aHandlerThatReadsTheBodyAsksForIt() throws IOException {
        try (RawHttp http = new RawHttp(server.port())) {
            http.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 3000\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Answer interim = http.read();
            assertEquals(100, interim.status(), interim.text());
            http.send("a".repeat(3000));
            RawHttp.Answer answer = http.read();
            assertEquals(200, answer.status(), answer.text());
            assertEquals("read 3000 bytes", answer.body());
        }
    }

    @Test
    void withoutExpectARefusalDrainsTheBodyAndKeepsTheConnection() throws IOException {
        try (RawHttp http = new RawHttp(server.port())) {
            http.send("POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 3000\r\n\r\n" + "a".repeat(3000));
            RawHttp.Answer refused = http.read();
            assertEquals(401, refused.status(), refused.text());
            assertTrue(!"close".equals(refused.header("connection")), refused.text());
            http.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nab");
            RawHttp.Answer next = http.read();
            assertEquals(200, next.status(), "the same connection serves the next request: " + next.text());
            assertEquals("read 2 bytes", next.body());
        }
    }
}
