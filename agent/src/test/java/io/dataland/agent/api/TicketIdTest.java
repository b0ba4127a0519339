package io.dataland.agent.api;

import static io.dataland.testkit.api.ApiClient.quote;
import static io.dataland.testkit.api.ContractSuite.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.UUID;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ticket id as the API uses it: a path segment of {@code /v1/conversations/{id}}, and the id of the
 * ticket's museum conversation and of nothing else. Through HTTP, against a real agent.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class TicketIdTest {

    private static AgentHarness agent;

    @BeforeAll
    static void start(TestDatabase db) {
        agent = AgentHarness.start(db, Map.of());
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static Response museum(String token, String ticket) {
        return agent.post("/v1/chat/museum", token, "{\"ticket_id\":" + quote(ticket) + ",\"message\":\"hello\"}");
    }

    private static String newToken() {
        return agent.token("ticket-" + UUID.randomUUID());
    }

    @Test
    void aTicketIdThatIsNotOnePathSegmentIsRefusedAndNothingIsWritten() {
        String token = newToken();
        assertEquals(200, agent.get("/v1/me", token).status());
        String before = agent.snapshot();
        for (String ticket : new String[] {"a/b-" + UUID.randomUUID(), "/", "a\\b-" + UUID.randomUUID(), ".", ".."}) {
            assertError(museum(token, ticket), 400, "invalid_ticket_id");
        }
        assertEquals(before, agent.snapshot());
    }

    @Test
    void aTicketEqualToTheCallersGeneralConversationIdIsAConflictAndChangesNothing() {
        String token = newToken();
        String general = agent.post("/v1/chat", token, "{\"message\":\"hello\"}").json().get("conversation_id").asText();
        String before = agent.snapshot();
        assertError(museum(token, general), 409, "ticket_conflicts_with_conversation");
        assertEquals(before, agent.snapshot(), "no message appended to the general conversation, no ticket row");
        assertEquals("general", agent.get("/v1/conversations/" + general, token).json().get("mode").asText());
    }

    @Test
    void aTicketEqualToAnotherUsersConversationIdIsTheSameConflictNotAnOwnershipAnswer() {
        String owner = newToken();
        String general = agent.post("/v1/chat", owner, "{\"message\":\"hello\"}").json().get("conversation_id").asText();
        String stranger = newToken();
        assertEquals(200, agent.get("/v1/me", stranger).status());
        String before = agent.snapshot();
        // the same answer as for one's own general conversation: whose conversation it is stays untold
        assertError(museum(stranger, general), 409, "ticket_conflicts_with_conversation");
        assertEquals(before, agent.snapshot());
        // a ticket registered to another user is still told as such
        String ticket = "T-" + UUID.randomUUID();
        assertEquals(200, museum(owner, ticket).status());
        assertError(museum(newToken(), ticket), 403, "ticket_owned_by_other_user");
    }

    @Test
    void aTicketIdWithDotsThatIsNoDotSegmentIsAcceptedAndReachable() {
        String token = newToken();
        for (String ticket : new String[] {"a.b-" + UUID.randomUUID(), "..." + UUID.randomUUID()}) {
            assertEquals(200, museum(token, ticket).status(), ticket);
            Response detail = agent.get("/v1/conversations/" + ticket, token);
            assertEquals(200, detail.status(), ticket);
            assertEquals(ticket, detail.json().get("id").asText());
        }
    }
}
