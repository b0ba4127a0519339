package io.dataland.agent.api;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.PgWireProxy;
import io.dataland.testkit.Poll;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.ApiClient.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.dataland.agent.testing.AgentHarness.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A turn's begin (user message + run opened) committed by PostgreSQL whose COMMIT answer never reaches the
 * agent (the connection dies in between, as when the server stops right then): the request gets 503, and
 * the run that may exist is closed {@code error} "database unavailable" as soon as the database answers
 * again, not left open until the reaper's orphan age (the model timeout, far past this test's wait).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class LostCommitAnswerTest {

    @Test
    void aRunWhoseBeginCommittedButWhoseAnswerWasLostIsClosedAsError(TestDatabase db) throws Exception {
        try (PgWireProxy proxy = PgWireProxy.start(db.server().port());
             AgentHarness agent = AgentHarness.start(db, Map.of("DATABASE_URL", throughProxy(db, proxy)))) {
            String user = "lost-commit-" + UUID.randomUUID();
            String token = agent.token(user);
            String ticket = "TKT-" + UUID.randomUUID();
            assertEquals(200, agent.post("/v1/chat/museum", token, turn(ticket, "first")).status(), "a turn through the proxy");

            // the next transaction that opens a run commits, and its connection dies before the answer is read
            CountDownLatch cut = proxy.loseNextCommitAnswer("INSERT INTO runs");
            Response lost = agent.post("/v1/chat/museum", token, turn(ticket, "second"));
            assertTrue(cut.await(30, TimeUnit.SECONDS), "the proxy cut the connection after the begin's COMMIT");
            assertEquals(503, lost.status(), "the turn's outcome is unknown to the agent: " + lost.body());

            assertEquals(1, agent.count("SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id"
                    + " WHERE c.user_id = " + quoteSql(user) + " AND m.text = 'second'"), "the begin committed");
            Poll.until(() -> agent.count("SELECT count(*) FROM runs WHERE user_id = " + quoteSql(user)
                    + " AND finished_at IS NULL") == 0, Duration.ofSeconds(10));
            assertEquals("error|database unavailable", agent.text("SELECT status || '|' || error FROM runs r"
                    + " JOIN messages m ON m.run_id = r.id WHERE r.user_id = " + quoteSql(user) + " AND m.text = 'second'"),
                    "closed by the agent (the reaper would say 'interrupted', and only after the orphan age)");

            assertEquals(200, agent.post("/v1/chat/museum", token, turn(ticket, "third")).status(), "the agent carries on");
        }
    }

    private static String turn(String ticket, String message) {
        return "{\"ticket_id\":" + quote(ticket) + ",\"message\":" + quote(message) + "}";
    }

    private static String throughProxy(TestDatabase db, PgWireProxy proxy) {
        return db.databaseUrl().replace(":" + db.server().port() + "/", ":" + proxy.port() + "/");
    }

    private static String quoteSql(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
