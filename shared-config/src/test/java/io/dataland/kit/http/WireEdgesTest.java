package io.dataland.kit.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * What a hostile or careless client can put on the wire, through the kit's server on real sockets: broken
 * chunked framing, a transfer coding the server does not take, a body declared in another charset, a path
 * spelled otherwise than its route, a C1 control character, and {@code Connection: close}. Each is a JSON
 * 4xx (or 501) at once, and nothing hangs.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class WireEdgesTest {

    private static final String CHUNKED_POST = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";

    private static KitServer server;

    @BeforeAll
    static void start(TestDatabase database) {
        server = KitServer.start(database, "wire-edges-test", Map.of(), routing -> routing
                .post("/echo", (req, res) -> res.send("keys " + JsonBody.read(req).toString().length()))
                .get("/items/{id}", (req, res) -> res.send("item " + req.path().pathParameters().get("id")))
                .get("/plain", (req, res) -> res.send("plain"))
                .post("/refuse", (req, res) -> {
                    throw new ApiException(Status.UNAUTHORIZED_401, ErrorCodes.UNAUTHORIZED, "missing bearer token");
                }));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aChunkSizeThatIsNotHexIs400AndTheConnectionCloses() throws IOException {
        for (String body : new String[] {"ZZ\r\nabc\r\n0\r\n\r\n", "ZZ\r\n{\"a\":\"b\"}\r\n0\r\n\r\n", "-5\r\nabcde\r\n0\r\n\r\n"}) {
            try (RawHttp http = new RawHttp(server.port())) {
                http.send(CHUNKED_POST + body);
                RawHttp.Answer answer = http.read();
                assertEquals(400, answer.status(), answer.text());
                assertEquals("malformed_body", answer.error(), answer.text());
                assertEquals("close", answer.header("connection"), answer.text());
                assertTrue(http.closedByServer(), "the framing is lost: the server closes the connection");
            }
        }
    }

    @Test
    void aRefusalBeforeTheBodyIsReadIsAnsweredAtOnceWhenItsChunksAreBroken() throws IOException {
        for (String body : new String[] {"ZZ\r\nabc\r\n0\r\n\r\n", "3\r\nabc\r\nZZ\r\nabc\r\n0\r\n\r\n"}) {
            try (RawHttp http = new RawHttp(server.port())) {
                http.send(CHUNKED_POST.replace("/echo", "/refuse") + body);
                RawHttp.Answer answer = http.read();
                assertEquals(401, answer.status(), answer.text());
                assertEquals("close", answer.header("connection"), "nothing more can be read: " + answer.text());
                assertTrue(http.closedByServer());
            }
        }
    }

    @Test
    void overTheLimitAndThenBrokenIsAnsweredAtOnce() throws IOException {
        String chunk = Integer.toHexString(JsonBody.MAX_BYTES + 10) + "\r\n" + "a".repeat(JsonBody.MAX_BYTES + 10) + "\r\n";
        RawHttp.Answer answer = RawHttp.exchange(server.port(), CHUNKED_POST + chunk + "ZZ\r\nabc\r\n0\r\n\r\n");
        assertEquals(413, answer.status(), "the limit is met first: " + answer.text());
        assertEquals("payload_too_large", answer.error(), answer.text());
    }

    @Test
    void aChunkWithoutItsLineEndIsAnsweredAtOnce() throws IOException {
        RawHttp.Answer answer = RawHttp.exchange(server.port(), CHUNKED_POST + "3\r\n{}}XY0\r\n\r\n");
        assertEquals(400, answer.status(), answer.text());
    }

    @Test
    void aChunkExtensionIs400NotA500() throws IOException {
        RawHttp.Answer answer = RawHttp.exchange(server.port(), CHUNKED_POST + "9;name=value\r\n{\"a\":\"b\"}\r\n0\r\n\r\n");
        assertEquals(400, answer.status(), answer.text());
        assertEquals("malformed_body", answer.error(), answer.text());
    }

    @Test
    void wellFramedChunksStillReadOnAKeptConnection() throws IOException {
        try (RawHttp http = new RawHttp(server.port())) {
            http.send(CHUNKED_POST + "4\r\n{\"a\"\r\n5\r\n:\"b\"}\r\n0\r\n\r\n");
            RawHttp.Answer answer = http.read();
            assertEquals(200, answer.status(), answer.text());
            http.send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("plain", http.read().body());
        }
    }

    @Test
    void aTransferCodingOtherThanChunkedIs501Json() throws IOException {
        RawHttp.Answer answer = RawHttp.exchange(server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        assertEquals(501, answer.status(), answer.text());
        assertEquals("not_implemented", answer.error(), answer.text());
    }

    @Test
    void aBodyDeclaredInAnotherCharsetIs415() throws IOException {
        for (String charset : new String[] {"iso-8859-1", "utf-16"}) {
            RawHttp.Answer answer = RawHttp.exchange(server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/json; charset=" + charset + "\r\nContent-Length: 9\r\n\r\n{\"a\":\"b\"}");
            assertEquals(415, answer.status(), answer.text());
            assertEquals("unsupported_media_type", answer.error(), answer.text());
        }
        try (RawHttp http = new RawHttp(server.port())) {
            http.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json; charset=UTF-8"
                    + "\r\nContent-Length: 9\r\n\r\n{\"a\":\"b\"}");
            assertEquals(200, http.read().status(), "UTF-8 declared is JSON's own charset");
        }
    }

    @Test
    void aPathSpelledOtherwiseThanItsRouteIs404() throws IOException {
        for (String path : new String[] {"/plain/", "//plain", "/x/../plain", "/./plain", "/plain;x", "/items/a/",
                "/items/%2e", "/items/%2E%2e", "/items//a", "/items/a;b"}) {
            RawHttp.Answer answer = RawHttp.exchange(server.port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(404, answer.status(), path + ": " + answer.text());
            assertEquals("not_found", answer.error(), path + ": " + answer.text());
        }
        try (RawHttp http = new RawHttp(server.port())) {
            http.send("GET /items/a%3Bb.c HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Answer answer = http.read();
            assertEquals(200, answer.status(), answer.text());
            assertEquals("item a;b.c", answer.body(), "an encoded ; and a dot inside a segment are an id's own");
            http.send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("plain", http.read().body());
        }
    }

    @Test
    void aC1ControlCharacterInThePathOrQueryIsInvalidText() throws IOException {
        for (String target : new String[] {"/items/a%C2%85b", "/plain?q=%C2%80", "/items/a%7Fb"}) {
            RawHttp.Answer answer = RawHttp.exchange(server.port(), "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(400, answer.status(), target + ": " + answer.text());
            assertEquals("invalid_text", answer.error(), target + ": " + answer.text());
        }
    }

    @Test
    void connectionCloseClosesTheConnectionAfterTheAnswer() throws IOException {
        try (RawHttp http = new RawHttp(server.port())) {
            http.send("GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            RawHttp.Answer answer = http.read();
            assertEquals(200, answer.status(), answer.text());
            assertEquals("close", answer.header("connection"), answer.text());
            assertTrue(http.closedByServer(), "the server closes once it has answered");
        }
        try (RawHttp http = new RawHttp(server.port())) {
            http.send("GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(404, http.read().status());
            assertTrue(http.closedByServer(), "after an error answer too");
        }
        try (RawHttp http = new RawHttp(server.port())) {
            http.send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, http.read().status());
            http.send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Answer again = http.read();
            assertEquals(200, again.status(), "without it the connection is kept");
            assertFalse("close".equals(again.header("connection")), again.text());
        }
    }
}
