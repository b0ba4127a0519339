package io.dataland.kit.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.helidon.webserver.WebServer;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.ServiceBoot;
import io.dataland.kit.config.Settings;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;

/**
 * The parent/child shape of query traces: one server span per HTTP request, one client span per SQL
 * statement under it, with statement id and row count and without parameter values.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class TracingTest {

    private static final String SECRET = "p4ram-value-never-traced";

    @Test
    void requestSpanParentsOneSpanPerStatement(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            c.createStatement().execute("CREATE TABLE probe_notes (id bigserial PRIMARY KEY, note text)");
        }
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        List<SpanData> spans;
        Settings settings = Settings.load(Map.of("DATABASE_URL", db.databaseUrl(), "TEST_PORT", "0",
                "DB_POOL_SIZE", "1", "DB_MAX_OVERFLOW", "2"), "kit-defaults.yaml");
        try (Tracing tracing = Tracing.exportingTo(exporter, "tracing-test");
             HikariDataSource ds = ServiceBoot.openPool("tracing-test", settings, CredentialGuard.Service.AGENT)) {
            Configuration configuration = new Configuration(new Environment("test", new JdbcTransactionFactory(), ds));
            configuration.addMapper(ProbeMapper.class);
            configuration.addInterceptor(StatementInterceptor.create(Metrics.globalRegistry(), tracing));
            SqlSessionFactory sessions = new SqlSessionFactoryBuilder().build(configuration);
            WebServer server = ServiceBoot.start(settings, "TEST_PORT", ds, tracing, routing ->
                    routing.post("/probe/{n}", (req, res) -> {
                        int n = Integer.parseInt(req.path().pathParameters().get("n"));
                        try (SqlSession session = sessions.openSession()) {
                            ProbeMapper mapper = session.getMapper(ProbeMapper.class);
                            int inserted = mapper.insertNotes(n, SECRET);
                            List<String> rows = mapper.selectNumbers(n, SECRET);
                            session.commit();
                            res.send(inserted + "/" + rows.size());
                        }
                    }));
            try {
                HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/probe/3"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals("3/3", res.body());
                // the request span ends once the response is written, which the client may see first
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (exporter.getFinishedSpanItems().stream().noneMatch(s -> s.getKind() == SpanKind.SERVER)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            } finally {
                server.stop();
            }
            spans = exporter.getFinishedSpanItems(); // before close(): shutting down clears the exporter
        }
        SpanData request = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertEquals("POST /probe/{n}", request.getName());
        assertEquals(200L, request.getAttributes().get(io.opentelemetry.api.common.AttributeKey.longKey("http.response.status_code")));
        List<SpanData> statements = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
        assertEquals(List.of("ProbeMapper.insertNotes", "ProbeMapper.selectNumbers"),
                statements.stream().map(SpanData::getName).toList());
        for (SpanData statement : statements) {
            assertEquals(request.getTraceId(), statement.getTraceId());
            assertEquals(request.getSpanId(), statement.getParentSpanId(), "a statement span hangs off the request span");
            assertEquals(3L, statement.getAttributes().get(StatementInterceptor.ROWS));
            assertTrue(statement.getAttributes().get(StatementInterceptor.STATEMENT).startsWith("io.dataland.kit.telemetry.ProbeMapper."));
            assertTrue(statement.getEndEpochNanos() > statement.getStartEpochNanos(), "has a duration");
        }
        assertTrue(timed("io.dataland.kit.telemetry.ProbeMapper.insertNotes") >= 1, "the statement is timed too");
        for (SpanData span : spans) {
            assertFalse(span.getAttributes().toString().contains(SECRET), "a span carries a parameter value: " + span);
            assertFalse(span.getName().contains(SECRET));
        }
    }

    @Test
    void offInstallsNothing() {
        Tracing off = Tracing.fromSettings(Settings.of(Map.of()), "x");
        assertFalse(off.enabled());
        assertEquals(null, off.tracer());
        assertTrue(Tracing.fromSettings(Settings.of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")), "x").enabled());
    }

    private static long timed(String statementId) {
        return Metrics.globalRegistry().getOrCreate(Timer.builder(StatementInterceptor.TIMER)
                .tags(List.of(Tag.create("statement", statementId)))).count();
    }
}
