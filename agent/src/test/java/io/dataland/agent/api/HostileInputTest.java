package io.dataland.agent.api;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.ApiClient.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.dataland.agent.testing.AgentHarness.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One corpus of bad values against every input of every {@code /v1} route (path ids, query values, body
 * fields): each answer is 400 or 404 (413/414 for the over-long value where the server refuses it before
 * routing) in the JSON error shape, never 2xx or 5xx, and no row of any agent table changes.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class HostileInputTest {

    /** A bad value as the bytes that reach the server (inside a JSON string, or percent-encoded in a URL). */
    record Bad(String name, byte[] bytes, boolean raw) {

        static Bad text(String name, String value) {
            return new Bad(name, value.getBytes(StandardCharsets.UTF_8), false);
        }

        static Bad bytes(String name, String hex) {
            return new Bad(name, HexFormat.of().parseHex(hex), false);
        }

        /** A value written into a JSON string as is (a JSON escape sequence). */
        static Bad rawJson(String name, String escaped) {
            return new Bad(name, escaped.getBytes(StandardCharsets.UTF_8), true);
        }

        /** The value as a JSON string literal: escaped when it is valid UTF-8, else the raw bytes quoted. */
        byte[] json() {
            try {
                if (raw) {
                    throw new CharacterCodingException();
                }
                String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString();
                return quote(text).getBytes(StandardCharsets.UTF_8);
            } catch (CharacterCodingException e) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write('"');
                out.writeBytes(bytes);
                out.write('"');
                return out.toByteArray();
            }
        }

        /** Every byte percent-encoded (the server decodes it back to these bytes). */
        String url() {
            StringBuilder s = new StringBuilder();
            for (byte b : bytes) {
                s.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
            return s.toString();
        }
    }

    /** The corpus: blank text, NUL, unpaired and CESU-8 surrogates, overlong forms, other invalid UTF-8, too long. */
    static final List<Bad> CORPUS = List.of(
            Bad.text("spaces", "   "),
            Bad.text("whitespace mix", "\n\t \r\n"),
            Bad.text("unicode spaces", "\u00a0\u2003\u3000"),
            Bad.text("NUL alone", "\u0000"),
            Bad.text("NUL inside", "a\u0000b"),
            Bad.rawJson("escaped unpaired high surrogate", "a\\ud800b"),
            Bad.rawJson("escaped unpaired low surrogate", "\\udc00"),
            Bad.rawJson("escaped NUL", "\\u0000"),
            Bad.bytes("overlong '/' (2 bytes)", "c0af"),
            Bad.bytes("overlong '/' inside", "2e2ec0af2e2e"),
            Bad.bytes("overlong '/' (3 bytes)", "e080af"),
            Bad.bytes("overlong NUL (modified UTF-8)", "c080"),
            Bad.bytes("overlong '/' (4 bytes)", "f08080af"),
            Bad.bytes("CESU-8 high surrogate", "eda080"),
            Bad.bytes("CESU-8 surrogate pair", "eda0bdedb880"),
            Bad.bytes("past U+10FFFF", "f4908080"),
            Bad.bytes("lone continuation byte", "80"),
            Bad.bytes("truncated sequence", "61c3"),
            Bad.bytes("0xFF", "ff"),
            Bad.text("over every length limit", "x".repeat(9000)));

    /**
     * Sends {@code request}, again on a new connection if the first attempt lost its connection: now and
     * then the server closes a keep-alive connection right after answering a refused request, and the
     * client's next write on it fails with a broken pipe before any answer (a transport race, under
     * investigation in issue 12; what is asserted here is the answer and that no row changed).
     */
    private static Response sendOnce(AgentHarness agent, HttpRequest request) {
        try {
            return agent.send(request);
        } catch (java.io.UncheckedIOException lostConnection) {
            return agent.send(request);
        }
    }

    /** One input of one route, the bad value put in it. */
    record Slot(String route, Function<Bad, HttpRequest.Builder> request) {
    }

    @Test
    void everyRouteRefusesTheCorpusAndNoRowChanges(TestDatabase db) {
        try (AgentHarness agent = AgentHarness.start(db, Map.of())) {
            String token = agent.token("hostile-" + UUID.randomUUID());
            Response turn = agent.post("/v1/chat", token, "{\"message\":\"hello\"}");
            assertEquals(200, turn.status(), turn.body());
            String conversation = turn.json().get("conversation_id").asText();
            String assistant = agent.text("SELECT id FROM messages WHERE conversation_id = '" + conversation
                    + "' AND role = 'assistant'");
            String ticket = "TKT-" + UUID.randomUUID();

            List<Slot> slots = List.of(
                    body("POST /v1/chat/museum ticket_id", agent, token, "POST", "/v1/chat/museum",
                            bad -> concat("{\"ticket_id\":", bad.json(), ",\"message\":\"hi\"}")),
                    body("POST /v1/chat/museum message", agent, token, "POST", "/v1/chat/museum",
                            bad -> concat("{\"ticket_id\":" + quote(ticket) + ",\"message\":", bad.json(), "}")),
                    body("POST /v1/chat message", agent, token, "POST", "/v1/chat",
                            bad -> concat("{\"message\":", bad.json(), "}")),
                    body("POST /v1/chat conversation_id", agent, token, "POST", "/v1/chat",
                            bad -> concat("{\"conversation_id\":", bad.json(), ",\"message\":\"hi\"}")),
                    body("POST /v1/chat message to an existing conversation", agent, token, "POST", "/v1/chat",
                            bad -> concat("{\"conversation_id\":" + quote(conversation) + ",\"message\":", bad.json(), "}")),
                    url("GET /v1/conversations?limit", agent, token, "GET", bad -> "/v1/conversations?limit=" + bad.url()),
                    url("GET /v1/conversations?before", agent, token, "GET", bad -> "/v1/conversations?before=" + bad.url()),
                    url("GET /v1/conversations/{id}", agent, token, "GET", bad -> "/v1/conversations/" + bad.url()),
                    url("DELETE /v1/conversations/{id}", agent, token, "DELETE", bad -> "/v1/conversations/" + bad.url()),
                    url("GET /v1/runs/{id}", agent, token, "GET", bad -> "/v1/runs/" + bad.url()),
                    new Slot("PATCH /v1/conversations/{id} id", bad -> json(agent, token, "PATCH",
                            "/v1/conversations/" + bad.url(), "{\"title\":\"ok\"}".getBytes(StandardCharsets.UTF_8))),
                    body("PATCH /v1/conversations/{id} title", agent, token, "PATCH", "/v1/conversations/" + conversation,
                            bad -> concat("{\"title\":", bad.json(), "}")),
                    new Slot("PUT /v1/messages/{id}/feedback id", bad -> json(agent, token, "PUT",
                            "/v1/messages/" + bad.url() + "/feedback", "{\"feedback\":\"like\"}".getBytes(StandardCharsets.UTF_8))),
                    body("PUT /v1/messages/{id}/feedback feedback", agent, token, "PUT",
                            "/v1/messages/" + assistant + "/feedback", bad -> concat("{\"feedback\":", bad.json(), "}")));

            String before = agent.snapshot();
            List<String> failures = new ArrayList<>();
            int requests = 0;
            for (Slot slot : slots) {
                for (Bad bad : CORPUS) {
                    Response r = sendOnce(agent, slot.request().apply(bad).build());
                    requests++;
                    boolean refused = r.status() == 400 || r.status() == 404
                            || (bad.bytes().length > 1000 && (r.status() == 413 || r.status() == 414));
                    boolean shaped = r.status() != 400 && r.status() != 404 || (r.error() != null && !r.error().isBlank());
                    if (!refused || !shaped) {
                        failures.add(slot.route() + " <- " + bad.name() + ": " + r.status() + " " + abbreviate(r.body()));
                    }
                }
            }
            assertTrue(failures.isEmpty(), failures.size() + " of " + requests + " bad inputs not refused:\n"
                    + String.join("\n", failures));
            assertEquals(before, agent.snapshot(), "no row changed");
            assertEquals(slots.size() * CORPUS.size(), requests);
        }
    }

    private static Slot body(String route, AgentHarness agent, String token, String method, String path,
                             Function<Bad, byte[]> body) {
        return new Slot(route, bad -> json(agent, token, method, path, body.apply(bad)));
    }

    private static Slot url(String route, AgentHarness agent, String token, String method, Function<Bad, String> path) {
        return new Slot(route, bad -> agent.request(path.apply(bad), token).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private static HttpRequest.Builder json(AgentHarness agent, String token, String method, String path, byte[] body) {
        return agent.request(path, token).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String abbreviate(String body) {
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }

}
