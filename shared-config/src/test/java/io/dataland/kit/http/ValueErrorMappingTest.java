package io.dataland.kit.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import io.dataland.kit.ServiceBoot;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.MyBatis;
import io.dataland.kit.db.NoteMapper;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SQLSTATE class 22 (a value PostgreSQL refuses as data) is 400 {@code invalid_value} through the kit's
 * error mapping on a real server, and the unit of work it ended wrote nothing. The value is refused by
 * PostgreSQL itself, not by a check in Java: the route takes hex bytes, so a NUL reaches the INSERT past
 * the kit's text filters and PostgreSQL raises 22021 (NUL cannot be stored in text) after the same
 * transaction inserted a valid row. Without the mapping the answer is 500.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ValueErrorMappingTest {

    @Test
    void aValueThePostgresRefusesIs400InvalidValueAndNothingIsWritten(TestDatabase database) throws Exception {
        try (Connection c = database.connect()) {
            c.createStatement().execute("DROP TABLE IF EXISTS uow_notes");
            c.createStatement().execute("CREATE TABLE uow_notes (id bigserial PRIMARY KEY, note text NOT NULL)");
        }
        Settings settings = Settings.load(Map.of("DATABASE_URL", database.databaseUrl(), "TEST_PORT", "0",
                "DB_POOL_SIZE", "1", "DB_MAX_OVERFLOW", "1"), "kit-defaults.yaml");
        HikariDataSource pool = ServiceBoot.openPool("value-error-test", settings, CredentialGuard.Service.AGENT);
        UnitOfWork db = new UnitOfWork(MyBatis.sessionFactory("value-error-test", pool, List.of(NoteMapper.class), List.of()));
        WebServer server = ServiceBoot.start(settings, "TEST_PORT", pool, routing -> routing.post("/notes", (req, res) -> {
            String note = new String(HexFormat.of().parseHex(req.query().get("hex")), StandardCharsets.UTF_8);
            long count = db.inTransaction(session -> {
                NoteMapper notes = session.getMapper(NoteMapper.class);
                notes.insert("a valid note first");
                notes.insert(note);
                return notes.count();
            });
            res.send(Long.toString(count));
        }));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/notes?hex=610062")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, bad.statusCode(), bad.body());
            JsonNode error = Json.MAPPER.readTree(bad.body());
            assertEquals("invalid_value", error.path("error").asText(), bad.body());
            assertTrue(!bad.body().contains("0x00") && !bad.body().contains("SQL"), "the body names no SQL detail: " + bad.body());
            long left = db.read(session -> session.getMapper(NoteMapper.class).count());
            assertEquals(0L, left, "the transaction rolled back");

            HttpResponse<String> good = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/notes?hex=6162")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, good.statusCode(), good.body());
            assertEquals("2", good.body(), "the same route writes when PostgreSQL takes the value");
        } finally {
            server.stop();
            pool.close();
        }
    }
}
