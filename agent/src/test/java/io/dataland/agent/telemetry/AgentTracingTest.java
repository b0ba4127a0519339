package io.dataland.agent.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.kit.telemetry.Tracing;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;

/**
 * Query traces on the real agent: a museum turn is one server span, and every SQL statement the turn
 * runs (user upsert, ticket registration, messages, run) is a child span of it carrying the statement id
 * and row count, never a parameter value (the message text, the ticket id).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class AgentTracingTest {

    private static List<SpanData> awaitRequestSpan(InMemorySpanExporter exporter) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<SpanData> spans = exporter.getFinishedSpanItems();
            if (spans.stream().anyMatch(s -> s.getKind() == SpanKind.SERVER)) {
                return spans;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return exporter.getFinishedSpanItems();
    }

    @Test
    void aMuseumTurnIsOneRequestSpanWithAChildSpanPerStatement(TestDatabase db) {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        Tracing tracing = Tracing.exportingTo(exporter, "dataland-agent");
        List<SpanData> spans;
        try (AgentHarness agent = AgentHarness.start(db, Map.of(), tracing)) {
            String ticket = "TICKET-traced-7781";
            String text = "Which painting hangs in room twelve-secret-words?";
            AgentHarness.Response res = agent.post("/v1/chat/museum", agent.token("visitor-traced"),
                    "{\"ticket_id\": " + AgentHarness.quote(ticket) + ", \"message\": " + AgentHarness.quote(text) + "}");
            assertEquals(200, res.status(), res.body());
            // the request span ends once the response is written, which the client may see first
            spans = awaitRequestSpan(exporter); // read before close: shutting down clears the exporter

            SpanData request = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER
                    && s.getName().equals("POST /v1/chat/museum")).findFirst().orElseThrow(
                    () -> new AssertionError("no request span in " + spans));
            List<SpanData> statements = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT
                    && s.getTraceId().equals(request.getTraceId())).toList();
            assertTrue(statements.size() >= 5, "expected a span per statement of the turn, got " + statements);
            for (SpanData statement : statements) {
                assertEquals(request.getSpanId(), statement.getParentSpanId(), statement.getName() + " hangs off the request");
                String id = statement.getAttributes().get(AttributeKey.stringKey("db.statement.id"));
                assertTrue(id != null && id.startsWith("io.dataland.agent."), "statement id: " + id);
            }
            assertTrue(statements.stream().anyMatch(s -> s.getName().startsWith("UserMapper.")), "the user upsert is traced");
            assertTrue(statements.stream().anyMatch(s -> s.getAttributes().get(AttributeKey.longKey("db.response.rows")) != null),
                    "row counts are recorded");
            for (SpanData span : spans) {
                String all = span.getName() + span.getAttributes();
                assertFalse(all.contains(ticket), "a span carries the ticket id: " + span);
                assertFalse(all.contains("twelve-secret-words"), "a span carries the message text: " + span);
            }
        }
    }
}
