package io.dataland.agent.api;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataland.agent.testing.AgentHarness;
import io.dataland.agent.testing.AgentHarness.Response;
import io.dataland.agent.testing.TokenMint;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.RawHttp;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.dataland.agent.testing.AgentHarness.quote;
import static io.dataland.agent.testing.TokenMint.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every {@code /v1} route of docs/api.md and every error status, over real HTTP, tokens and PostgreSQL. */
@ExtendWith(EmbeddedPostgresExtension.class)
class ApiContractTest {

    private static AgentHarness agent;

    @BeforeAll
    static void start(TestDatabase db) {
        agent = AgentHarness.start(db, Map.of());
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static String user() {
        return "user-" + UUID.randomUUID();
    }

    private static Response museum(String token, String ticket, String message) {
        return agent.post("/v1/chat/museum", token, "{\"ticket_id\":" + quote(ticket) + ",\"message\":" + quote(message) + "}");
    }

    private static void assertError(Response r, int status, String code) {
        assertEquals(status, r.status(), r.body());
        assertEquals(code, r.error(), r.body());
        assertTrue(r.json().path("message").isTextual(), r.body());
        assertEquals(2, r.json().size(), r.body());
    }

    // --- trust -----------------------------------------------------------------------------------

    @Test
    void meCreatesAndRefreshesTheUserRowFromClaims() {
        String sub = user();
        Response first = agent.get("/v1/me", agent.mint().token(sub, Map.of("email", sub + "@example.org",
                "full_name", "Ada", "access_permissions", List.of("museum"), "joined_date", "2026-01-02T03:04:05Z")));
        assertEquals(200, first.status(), first.body());
        JsonNode me = first.json();
        assertEquals(sub, me.get("id").asText());
        assertEquals("Ada", me.get("full_name").asText());
        assertEquals("[\"museum\"]", me.get("access_permissions").asText());
        assertEquals("2026-01-02T03:04:05Z", me.get("joined_date").asText());
        assertTrue(me.has("location") && me.get("location").isNull());
        assertTrue(me.has("stripe_customer_id") && me.has("profile_photo_url"));
        OffsetDateTime.parse(me.get("created_at").asText());
        Response second = agent.get("/v1/me", agent.mint().token(sub, Map.of("full_name", "Ada L.", "location", "Berlin")));
        assertEquals("Ada L.", second.json().get("full_name").asText());
        assertEquals("Berlin", second.json().get("location").asText());
        assertEquals(sub + "@example.org", second.json().get("email").asText(), "absent claim keeps the column");
        assertEquals(1, agent.count("SELECT count(*) FROM users WHERE id = '" + sub + "'"));
    }

    @Test
    void missingOrForgedTokensAre401WithBearerChallenge() throws Exception {
        String before = agent.snapshot();
        TokenMint stranger = TokenMint.create("stranger");
        long exp = Instant.now().getEpochSecond() + 600;
        String hsInput = b64("{\"alg\":\"HS256\",\"kid\":\"test-key-1\"}") + "." + b64("{\"sub\":\"x\",\"exp\":" + exp + "}");
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(agent.mint().pair().getPublic().getEncoded(), "HmacSHA256"));
        String hs256 = hsInput + "." + b64(mac.doFinal(hsInput.getBytes(StandardCharsets.US_ASCII)));
        String[] valid = agent.token("x").split("\\.");
        List<String> forged = List.of(
                b64("{\"alg\":\"none\",\"kid\":\"test-key-1\"}") + "." + b64("{\"sub\":\"x\",\"exp\":" + exp + "}") + ".",
                hs256,
                agent.mint().builder("x").expiration(Date.from(Instant.now().minusSeconds(3600))).compact(),
                agent.mint().builder("x").expiration(null).compact(),
                stranger.token("x"),
                valid[0] + "." + b64("{\"sub\":\"admin\",\"exp\":" + exp + "}") + "." + valid[2],
                "garbage", "a.b.c");
        for (String token : forged) {
            Response r = agent.get("/v1/me", token);
            assertError(r, 401, "unauthorized");
            assertEquals("Bearer", r.header("WWW-Authenticate"));
        }
        Response none = agent.get("/v1/conversations", null);
        assertError(none, 401, "unauthorized");
        assertEquals("Bearer", none.header("WWW-Authenticate"));
        assertError(agent.send(agent.request("/v1/me", null).header("Authorization", "Basic eDp5").GET().build()), 401, "unauthorized");
        assertEquals(401, agent.post("/v1/chat/museum", "nope", "{\"ticket_id\":\"t\",\"message\":\"m\"}").status());
        assertEquals(before, agent.snapshot(), "nothing written for refused tokens");
    }

    // --- museum turns ----------------------------------------------------------------------------

    @Test
    void museumTurnRegistersTicketAndAnswersInApiShape() {
        String token = agent.token(user());
        String ticket = "TKT-" + UUID.randomUUID();
        Response r = museum(token, ticket, "Who painted The Night Watch?");
        assertEquals(200, r.status(), r.body());
        JsonNode body = r.json();
        assertEquals(ticket, body.get("conversation_id").asText());
        String runId = body.get("run_id").asText();
        JsonNode user = body.get("user_message");
        JsonNode assistant = body.get("assistant_message");
        assertEquals(1, user.get("seq").asInt());
        assertEquals("user", user.get("role").asText());
        assertEquals("Who painted The Night Watch?", user.get("text").asText());
        assertEquals(runId, user.get("run_id").asText());
        assertEquals(2, assistant.get("seq").asInt());
        assertEquals("assistant", assistant.get("role").asText());
        assertEquals(runId, assistant.get("run_id").asText());
        for (String key : List.of("id", "seq", "role", "text", "feedback", "run_id", "created_at", "images", "sources", "suggestions")) {
            assertTrue(user.has(key) && assistant.has(key), key);
        }
        assertTrue(assistant.get("feedback").isNull());
        assertEquals(3, assistant.get("images").size());
        assertEquals("The Night Watch", assistant.get("images").get(0).get("title").asText());
        for (String key : List.of("title", "artist", "image_path", "score", "type")) {
            assertTrue(assistant.get("images").get(0).has(key), key);
        }
        for (String key : List.of("title", "uri", "confidence", "type")) {
            assertTrue(assistant.get("sources").get(0).has(key), key);
        }
        assertEquals(3, assistant.get("suggestions").size());
        assertTrue(assistant.get("created_at").asText().endsWith("Z"));
        assertEquals(0, user.get("images").size());

        Response second = museum(token, ticket, "And where is it?");
        assertEquals(3, second.json().get("user_message").get("seq").asInt());
        assertEquals(4, second.json().get("assistant_message").get("seq").asInt());
        assertEquals(1, agent.count("SELECT count(*) FROM tickets WHERE id = '" + ticket + "'"));
        assertEquals("museum", agent.text("SELECT mode FROM conversations WHERE id = '" + ticket + "'"));

        Response run = agent.get("/v1/runs/" + runId, token);
        assertEquals(200, run.status(), run.body());
        assertEquals("success", run.json().get("status").asText());
        assertEquals("offline", run.json().get("model").asText());
        assertEquals(0.0, run.json().get("cost_usd").asDouble());
        assertTrue(run.json().get("prompt_tokens").asInt() > 0);
        assertTrue(run.json().get("error").isNull());
        // a real timestamp, not JSON null (asText() would read null as the string "null")
        Instant started = OffsetDateTime.parse(run.json().get("started_at").asText()).toInstant();
        Instant finished = OffsetDateTime.parse(run.json().get("finished_at").asText()).toInstant();
        assertFalse(finished.isBefore(started), started + " .. " + finished);
        assertTrue(run.json().has("started_at") && run.json().has("conversation_id") && run.json().has("completion_tokens"));
    }

    @Test
    void anotherUsersTicketIs403AndChangesNothing() {
        String ticket = "TKT-" + UUID.randomUUID();
        assertEquals(200, museum(agent.token(user()), ticket, "hello").status());
        String other = user();
        agent.get("/v1/me", agent.token(other));
        String before = agent.snapshot();
        Response r = museum(agent.token(other), ticket, "mine now?");
        assertError(r, 403, "ticket_owned_by_other_user");
        assertEquals(before, agent.snapshot());
    }

    // --- general turns ---------------------------------------------------------------------------

    @Test
    void generalChatCreatesTitledConversationAndContinuesIt() {
        String token = agent.token(user());
        Response first = agent.post("/v1/chat", token, "{\"message\":\"Tell me about   Impressionism\\nplease\"}");
        assertEquals(200, first.status(), first.body());
        String id = first.json().get("conversation_id").asText();
        assertEquals(4, UUID.fromString(id).version());
        Response detail = agent.get("/v1/conversations/" + id, token);
        assertEquals("Tell me about Impressionism please", detail.json().get("title").asText());
        assertEquals("general", detail.json().get("mode").asText());
        Response next = agent.post("/v1/chat", token, "{\"conversation_id\":" + quote(id) + ",\"message\":\"More?\"}");
        assertEquals(200, next.status(), next.body());
        assertEquals(id, next.json().get("conversation_id").asText());
        assertEquals(3, next.json().get("user_message").get("seq").asInt());
        Response nullId = agent.post("/v1/chat", token, "{\"conversation_id\":null,\"message\":\"fresh\"}");
        assertNotEquals(id, nullId.json().get("conversation_id").asText());

        String stranger = agent.token(user());
        agent.get("/v1/me", stranger);
        String before = agent.snapshot();
        assertError(agent.post("/v1/chat", stranger, "{\"conversation_id\":" + quote(id) + ",\"message\":\"hi\"}"),
                404, "not_found");
        assertError(agent.post("/v1/chat", token, "{\"conversation_id\":\"nope\",\"message\":\"hi\"}"), 404, "not_found");
        assertEquals(before, agent.snapshot());
    }

    // --- bad input -------------------------------------------------------------------------------

    @Test
    void badInputIs4xxJsonAndWritesNothing() throws Exception {
        String token = agent.token(user());
        agent.get("/v1/me", token);
        String before = agent.snapshot();
        assertError(agent.post("/v1/chat/museum", token, "{"), 400, "malformed_json");
        assertError(agent.post("/v1/chat/museum", token, "{\"ticket_id\":\"t\",\"message\":\"m\"} trailing"), 400, "malformed_json");
        assertError(agent.post("/v1/chat/museum", token, "[]"), 400, "malformed_json");
        assertError(agent.post("/v1/chat/museum", token, ""), 400, "malformed_json");
        assertError(agent.post("/v1/chat/museum", token, "{\"ticket_id\":5,\"message\":\"m\"}"), 400, "wrong_type");
        assertError(agent.post("/v1/chat/museum", token, "{\"ticket_id\":\"t\",\"message\":[\"m\"]}"), 400, "wrong_type");
        assertError(agent.post("/v1/chat/museum", token, "{\"message\":\"m\"}"), 400, "missing_field");
        assertError(agent.post("/v1/chat/museum", token, "{\"ticket_id\":\"t\"}"), 400, "missing_field");
        assertError(agent.post("/v1/chat/museum", token, "{\"ticket_id\":\"\",\"message\":\"m\"}"), 400, "invalid_ticket_id");
        assertError(agent.post("/v1/chat/museum", token, "{\"ticket_id\":" + quote("x".repeat(129)) + ",\"message\":\"m\"}"), 400, "invalid_ticket_id");
        assertError(agent.post("/v1/chat/museum", token, "{\"ticket_id\":\"a\\nb\",\"message\":\"m\"}"), 400, "invalid_ticket_id");
        assertError(agent.post("/v1/chat/museum", token, "{\"ticket_id\":\"t\",\"message\":" + quote("x".repeat(8001)) + "}"), 400, "invalid_message");
        assertError(agent.post("/v1/chat/museum", token, "{\"ticket_id\":\"t\",\"message\":\"\"}"), 400, "invalid_message");
        assertError(agent.post("/v1/chat/museum", token, "{\"ticket_id\":\"t\",\"message\":\"a\\u0000b\"}"), 400, "invalid_text");
        assertError(agent.post("/v1/chat/museum", token, "{\"ticket_id\":\"t\",\"message\":\"a\\ud800b\"}"), 400, "invalid_text");
        assertError(agent.post("/v1/chat", token, "{\"conversation_id\":7,\"message\":\"m\"}"), 400, "wrong_type");
        assertError(agent.send(agent.request("/v1/chat", token).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"m\"}")).build()), 415, "unsupported_media_type");
        assertError(agent.send(agent.request("/v1/chat", token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"m\"}")).build()), 415, "unsupported_media_type");
        String big = "{\"ticket_id\":\"t\",\"message\":\"m\",\"pad\":\"" + "x".repeat(65_537 - 40) + "\"}";
        assertEquals(65_537, big.getBytes(StandardCharsets.UTF_8).length);
        // over the limit, declared (Content-Length) and discovered while reading (chunked): a raw socket
        // client, because the server answers and closes before taking the whole body (RawHttp)
        for (boolean chunked : new boolean[] {false, true}) {
            RawHttp.Answer answer = RawHttp.post(agent.uri("/").getPort(), "/v1/chat/museum",
                    Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                    big.getBytes(StandardCharsets.UTF_8), chunked);
            assertEquals(413, answer.status(), answer.body());
            assertEquals("payload_too_large", new ObjectMapper().readTree(answer.body()).path("error").asText(), answer.body());
        }
        assertEquals(before, agent.snapshot());

        String head = "{\"ticket_id\":\"t-exact-" + UUID.randomUUID() + "\",\"message\":\"m\",\"pad\":\"";
        String exact = head + "x".repeat(65_536 - head.length() - 2) + "\"}";
        assertEquals(65_536, exact.getBytes(StandardCharsets.UTF_8).length);
        assertEquals(200, agent.send(agent.request("/v1/chat/museum", token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(exact.getBytes(StandardCharsets.UTF_8))))
                .build()).status(), "65,536 bytes chunked are accepted");
    }

    // --- conversations ---------------------------------------------------------------------------

    @Test
    void conversationListIsKeysetPaginatedNewestFirst() {
        String token = agent.token(user());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(agent.post("/v1/chat", token, "{\"message\":\"topic " + i + "\"}").json().get("conversation_id").asText());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Response page = agent.get("/v1/conversations?limit=2" + (cursor == null ? "" : "&before=" + cursor), token);
            assertEquals(200, page.status(), page.body());
            for (JsonNode item : page.json().get("items")) {
                seen.add(item.get("id").asText());
                for (String key : List.of("id", "title", "mode", "created_at", "updated_at")) {
                    assertTrue(item.has(key), key);
                }
                assertFalse(item.has("messages"));
            }
            assertTrue(page.json().has("next"));
            cursor = page.json().get("next").isNull() ? null : page.json().get("next").asText();
        } while (cursor != null);
        assertEquals(List.of(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0)), seen);
        assertEquals(5, agent.get("/v1/conversations", token).json().get("items").size());
        assertTrue(agent.get("/v1/conversations", agent.token(user())).json().get("items").isEmpty());
        for (String bad : List.of("limit=0", "limit=101", "limit=abc", "limit=", "before=not-a-cursor", "before=")) {
            assertError(agent.get("/v1/conversations?" + bad, token), 400, bad.startsWith("limit") ? "invalid_limit" : "invalid_cursor");
        }
    }

    @Test
    void conversationDetailRenameAndDelete() {
        String token = agent.token(user());
        String ticket = "TKT-" + UUID.randomUUID();
        String runId = museum(token, ticket, "Show me Water Lilies").json().get("run_id").asText();
        Response detail = agent.get("/v1/conversations/" + ticket, token);
        assertEquals(200, detail.status(), detail.body());
        JsonNode messages = detail.json().get("messages");
        assertEquals(2, messages.size());
        assertEquals(List.of(1, 2), List.of(messages.get(0).get("seq").asInt(), messages.get(1).get("seq").asInt()));
        assertEquals(3, messages.get(1).get("images").size());
        assertEquals(3, messages.get(1).get("suggestions").size());
        assertEquals(1, messages.get(1).get("sources").size());

        String stranger = agent.token(user());
        assertError(agent.get("/v1/conversations/" + ticket, stranger), 404, "not_found");
        assertError(agent.get("/v1/conversations/nope", token), 404, "not_found");

        Response renamed = agent.json("PATCH", "/v1/conversations/" + ticket, token, "{\"title\":\"My visit\"}");
        assertEquals(200, renamed.status(), renamed.body());
        assertEquals("My visit", renamed.json().get("title").asText());
        assertFalse(renamed.json().has("messages"));
        assertError(agent.json("PATCH", "/v1/conversations/" + ticket, stranger, "{\"title\":\"Mine\"}"), 404, "not_found");
        assertError(agent.json("PATCH", "/v1/conversations/" + ticket, token, "{}"), 400, "missing_field");
        assertError(agent.json("PATCH", "/v1/conversations/" + ticket, token, "{\"title\":3}"), 400, "wrong_type");
        assertError(agent.json("PATCH", "/v1/conversations/" + ticket, token, "{\"title\":\"  \"}"), 400, "invalid_title");
        assertEquals("My visit", agent.text("SELECT title FROM conversations WHERE id = '" + ticket + "'"));

        assertError(agent.delete("/v1/conversations/" + ticket, stranger), 404, "not_found");
        Response deleted = agent.delete("/v1/conversations/" + ticket, token);
        assertEquals(204, deleted.status(), deleted.body());
        assertEquals("", deleted.body());
        assertError(agent.get("/v1/conversations/" + ticket, token), 404, "not_found");
        assertError(agent.get("/v1/runs/" + runId, token), 404, "not_found");
        assertEquals(0, agent.count("SELECT count(*) FROM messages WHERE conversation_id = '" + ticket + "'"));
        assertEquals(0, agent.count("SELECT count(*) FROM runs WHERE conversation_id = '" + ticket + "'"));
        assertError(agent.delete("/v1/conversations/" + ticket, token), 404, "not_found");
    }

    // --- feedback and runs -----------------------------------------------------------------------

    @Test
    void feedbackOnAssistantMessagesOfTheCallerOnly() {
        String token = agent.token(user());
        JsonNode turn = museum(token, "TKT-" + UUID.randomUUID(), "Hello").json();
        String assistant = turn.get("assistant_message").get("id").asText();
        String userMessage = turn.get("user_message").get("id").asText();
        String path = "/v1/messages/" + assistant + "/feedback";

        Response like = agent.json("PUT", path, token, "{\"feedback\":\"like\"}");
        assertEquals(200, like.status(), like.body());
        assertEquals(assistant, like.json().get("id").asText());
        assertEquals("like", like.json().get("feedback").asText());
        assertEquals("dislike", agent.json("PUT", path, token, "{\"feedback\":\"dislike\"}").json().get("feedback").asText());
        Response cleared = agent.json("PUT", path, token, "{\"feedback\":null}");
        assertEquals(200, cleared.status());
        assertTrue(cleared.json().get("feedback").isNull());
        assertTrue(cleared.json().has("feedback"));

        agent.json("PUT", path, token, "{\"feedback\":\"like\"}");
        String stranger = agent.token(user());
        agent.get("/v1/me", stranger);
        String before = agent.snapshot();
        assertError(agent.json("PUT", path, token, "{}"), 400, "missing_field");
        assertError(agent.json("PUT", path, token, "{\"feedback\":\"love\"}"), 400, "invalid_feedback");
        assertError(agent.json("PUT", path, token, "{\"feedback\":1}"), 400, "wrong_type");
        assertError(agent.json("PUT", path, stranger, "{\"feedback\":\"dislike\"}"), 404, "not_found");
        assertError(agent.json("PUT", "/v1/messages/" + userMessage + "/feedback", token, "{\"feedback\":\"like\"}"), 404, "not_found");
        assertError(agent.json("PUT", "/v1/messages/nope/feedback", token, "{\"feedback\":\"like\"}"), 404, "not_found");
        assertEquals(before, agent.snapshot());
    }

    @Test
    void runsAreTheCallersOnly() {
        String token = agent.token(user());
        String runId = museum(token, "TKT-" + UUID.randomUUID(), "Hello").json().get("run_id").asText();
        assertEquals(200, agent.get("/v1/runs/" + runId, token).status());
        assertError(agent.get("/v1/runs/" + runId, agent.token(user())), 404, "not_found");
        assertError(agent.get("/v1/runs/unknown", token), 404, "not_found");
    }

    @Test
    void unknownRoutesAndMethodsAreJson() {
        String token = agent.token(user());
        assertEquals(404, agent.get("/v1/nothing-here", token).status());
        // Helidon SE routing has no 405: a method no route serves is an unknown route (docs/api.md, not_found)
        Response wrongMethod = agent.send(agent.request("/v1/me", token).DELETE().build());
        assertEquals(404, wrongMethod.status(), wrongMethod.body());
        assertEquals("not_found", wrongMethod.error());
    }

    @Test
    void metricsCoverRequestsRunsModelStatementsAndPool() {
        museum(agent.token(user()), "TKT-" + UUID.randomUUID(), "metrics please");
        String metrics = agent.get("/observe/metrics", null).body();
        for (String name : List.of("dataland_http_requests", "dataland_runs", "dataland_model_latency",
                "dataland_model_tokens", "dataland_db_statement", "dataland_db_pool_connections")) {
            assertTrue(metrics.contains(name), name + " missing from /observe/metrics");
        }
        assertTrue(metrics.contains("route=\"/v1/chat/museum\""), "route tag");
        assertTrue(metrics.contains("MessageMapper.insertNext"), "statement tag");
        assertTrue(metrics.contains("state=\"pending\""), "pool gauge");
    }
}
