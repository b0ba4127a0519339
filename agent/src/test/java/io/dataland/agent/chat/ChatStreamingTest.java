package io.dataland.agent.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.agent.testing.FakeOpenAi;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.ApiClient.Response;
import io.dataland.testkit.api.SseEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.dataland.agent.testing.AgentHarness.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server-Sent Events turns (a client leaving mid-stream) and model failures (502 before the stream, an
 * {@code error} event after it), with the offline model and the OpenAI provider against a local fake
 * endpoint. The event order of a successful turn is part of the contract suite (ApiContractTest).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ChatStreamingTest {

    private static AgentHarness offline;
    private static AgentHarness slow;
    private static AgentHarness openai;
    private static FakeOpenAi fake;

    @BeforeAll
    static void start(TestDatabase db) {
        offline = AgentHarness.start(db, Map.of());
        slow = AgentHarness.start(db, Map.of("MODEL_OFFLINE_DELAY_MS", "150"));
        fake = FakeOpenAi.start();
        openai = AgentHarness.start(db, Map.of("MODEL_PROVIDER", "openai", "MODEL_BASE_URL", fake.baseUrl().toString(),
                "MODEL_API_KEY", "k", "MODEL_IDLE_TIMEOUT_SECONDS", "1"));
    }

    @AfterAll
    static void stop() {
        offline.close();
        slow.close();
        openai.close();
        fake.close();
    }

    private static String museumBody(String ticket, String message) {
        return "{\"ticket_id\":" + quote(ticket) + ",\"message\":" + quote(message) + "}";
    }

    @Test
    void clientLeavingMidStreamCancelsTheRunAndKeepsTheStreamedText() throws Exception {
        String token = slow.token("leaver-" + UUID.randomUUID());
        String ticket = "TKT-" + UUID.randomUUID();
        SseEvents.Stream stream = SseEvents.post(slow, "/v1/chat/museum", token, museumBody(ticket, "Tell me about Olympia"),
                e -> e.name().equals("delta"));
        assertEquals(List.of("meta", "delta"), stream.names());
        String runId = stream.events().getFirst().data().get("run_id").asText();
        String firstDelta = stream.events().get(1).data().get("text").asText();
        Response run = waitForRunEnd(slow, runId, token);
        assertEquals("cancelled", run.json().get("status").asText(), run.body());
        var messages = slow.get("/v1/conversations/" + ticket, token).json().get("messages");
        assertEquals(2, messages.size());
        String saved = messages.get(1).get("text").asText();
        assertTrue(saved.startsWith(firstDelta), saved);
        String full = offline.post("/v1/chat/museum", offline.token("ref-" + UUID.randomUUID()),
                museumBody("TKT-" + UUID.randomUUID(), "Tell me about Olympia")).json().get("assistant_message").get("text").asText();
        assertTrue(saved.length() < full.length(), "only the streamed part is kept: " + saved);
        assertEquals(runId, messages.get(1).get("run_id").asText());
    }

    @Test
    void openAiTurnSendsHistoryAndRecordsUsage() {
        fake.mode(FakeOpenAi.Mode.STREAM);
        String token = openai.token("oa-" + UUID.randomUUID());
        Response first = openai.post("/v1/chat", token, "{\"message\":\"Who painted The Night Watch?\"}");
        assertEquals(200, first.status(), first.body());
        assertEquals("Hello, visitor. The Night Watch is in room 2.", first.json().get("assistant_message").get("text").asText());
        String id = first.json().get("conversation_id").asText();
        Response second = openai.post("/v1/chat", token, "{\"conversation_id\":" + quote(id) + ",\"message\":\"When?\"}");
        assertEquals(200, second.status());
        String sent = fake.bodies().getLast();
        assertTrue(sent.contains("Who painted The Night Watch?") && sent.contains("room 2") && sent.contains("When?"), sent);
        var run = openai.get("/v1/runs/" + second.json().get("run_id").asText(), token).json();
        assertEquals(42, run.get("prompt_tokens").asInt());
        assertEquals(7, run.get("completion_tokens").asInt());
        assertEquals("fake-model", run.get("model").asText());
        assertTrue(run.get("cost_usd").isNull());
    }

    @Test
    void modelFailureBeforeTheStreamIs502AndClosesTheRunAsError() {
        fake.mode(FakeOpenAi.Mode.FAIL_500);
        try {
            String token = openai.token("fail-" + UUID.randomUUID());
            String ticket = "TKT-" + UUID.randomUUID();
            Response json = openai.post("/v1/chat/museum", token, museumBody(ticket, "hello"));
            assertEquals(502, json.status(), json.body());
            assertEquals("model_error", json.error());
            assertEquals("error", openai.text("SELECT status FROM runs WHERE conversation_id = '" + ticket + "'"));
            assertEquals("model endpoint answered 500", openai.text("SELECT error FROM runs WHERE conversation_id = '" + ticket + "'"));
            assertEquals(1, openai.count("SELECT count(*) FROM messages WHERE conversation_id = '" + ticket + "'"));

            SseEvents.Stream sse = SseEvents.post(openai, "/v1/chat/museum", token, museumBody(ticket, "again"), e -> false);
            assertEquals(502, sse.status());
            assertTrue(sse.body().contains("model_error"), sse.body());
            assertEquals(0, openai.count("SELECT count(*) FROM runs WHERE conversation_id = '" + ticket + "' AND status IS NULL"));
        } finally {
            fake.mode(FakeOpenAi.Mode.STREAM);
        }
    }

    @Test
    void providerFaultsCloseTheRunAsErrorAndKeepThePartialText() {
        // mode -> whether text was streamed before the fault
        Map<FakeOpenAi.Mode, Boolean> faults = Map.of(FakeOpenAi.Mode.FAIL_429, false, FakeOpenAi.Mode.CUT, true,
                FakeOpenAi.Mode.GARBAGE, true, FakeOpenAi.Mode.STALL, true);
        try {
            for (Map.Entry<FakeOpenAi.Mode, Boolean> fault : faults.entrySet()) {
                fake.mode(fault.getKey());
                String token = openai.token("fault-" + UUID.randomUUID());
                String ticket = "TKT-" + UUID.randomUUID();
                SseEvents.Stream sse = SseEvents.post(openai, "/v1/chat/museum", token, museumBody(ticket, "hello"), e -> false);
                String where = fault.getKey() + ": ";
                if (fault.getValue()) {
                    assertEquals(200, sse.status(), where + sse.body());
                    assertEquals("error", sse.names().getLast(), where + sse.names());
                    assertEquals("model_error", sse.events().getLast().data().get("error").asText(), where);
                    String streamed = openai.text("SELECT text FROM messages WHERE conversation_id = '" + ticket
                            + "' AND role = 'assistant'");
                    assertFalse(streamed == null || streamed.isEmpty(), where + "the partial text is kept");
                } else {
                    assertEquals(502, sse.status(), where + sse.body());
                    assertTrue(sse.body().contains("model_error"), where + sse.body());
                }
                assertEquals("error", openai.text("SELECT status FROM runs WHERE conversation_id = '" + ticket + "'"), where);
                assertFalse(openai.text("SELECT coalesce(error, '') FROM runs WHERE conversation_id = '" + ticket + "'").isEmpty(),
                        where + "the run says why");
                assertFalse(openai.text("SELECT finished_at::text FROM runs WHERE conversation_id = '" + ticket + "'").isEmpty(), where);
            }
        } finally {
            fake.mode(FakeOpenAi.Mode.STREAM);
        }
    }

    @Test
    void anUnreachableProviderIs502AndClosesTheRunAsError(TestDatabase db) {
        try (AgentHarness refused = AgentHarness.start(db, Map.of("MODEL_PROVIDER", "openai",
                "MODEL_BASE_URL", "http://127.0.0.1:1/v1", "MODEL_API_KEY", "k"))) {
            String token = refused.token("refused-" + UUID.randomUUID());
            String ticket = "TKT-" + UUID.randomUUID();
            Response json = refused.post("/v1/chat/museum", token, museumBody(ticket, "hello"));
            assertEquals(502, json.status(), json.body());
            assertEquals("model_error", json.error());
            assertEquals("error", refused.text("SELECT status FROM runs WHERE conversation_id = '" + ticket + "'"));
            assertEquals("model endpoint unreachable", refused.text("SELECT error FROM runs WHERE conversation_id = '" + ticket + "'"));
        }
    }

    @Test
    void modelStallAfterTheStreamStartedIsAnErrorEvent() {
        fake.mode(FakeOpenAi.Mode.STALL);
        try {
            String token = openai.token("stall-" + UUID.randomUUID());
            String ticket = "TKT-" + UUID.randomUUID();
            SseEvents.Stream sse = SseEvents.post(openai, "/v1/chat/museum", token, museumBody(ticket, "hello"), e -> false);
            assertEquals(200, sse.status());
            assertEquals(List.of("meta", "delta", "error"), sse.names());
            assertEquals("model_error", sse.events().getLast().data().get("error").asText());
            assertEquals("error", openai.text("SELECT status FROM runs WHERE conversation_id = '" + ticket + "'"));
            assertEquals("model stream stalled", openai.text("SELECT error FROM runs WHERE conversation_id = '" + ticket + "'"));
            assertFalse(openai.text("SELECT finished_at::text FROM runs WHERE conversation_id = '" + ticket + "'").isEmpty());
        } finally {
            fake.mode(FakeOpenAi.Mode.STREAM);
        }
    }

    private static Response waitForRunEnd(AgentHarness agent, String runId, String token) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        Response run;
        do {
            Thread.sleep(100);
            run = agent.get("/v1/runs/" + runId, token);
        } while (run.json().get("status").isNull() && Instant.now().isBefore(deadline));
        return run;
    }
}
