package io.dataland.agent.api;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.HostileValues;
import io.dataland.testkit.HostileValues.Bad;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.ApiClient.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.dataland.agent.testing.AgentHarness.quote;
import static io.dataland.testkit.HostileValues.abbreviate;
import static io.dataland.testkit.HostileValues.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One corpus of bad values against every input of every {@code /v1} route (path ids, query values, body
 * fields): each answer is 400 or 404 (413/414 for the over-long value where the server refuses it before
 * routing) in the JSON error shape, never 2xx or 5xx, and no row of any agent table changes.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class HostileInputTest {

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
                for (Bad bad : HostileValues.CORPUS) {
                    Response r = agent.send(slot.request().apply(bad).build());
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
            assertEquals(slots.size() * HostileValues.CORPUS.size(), requests);
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

}
