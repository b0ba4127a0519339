package io.dataland.agent.conversation;

import io.dataland.agent.security.BearerAuth;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.http.Json;
import io.dataland.kit.http.JsonBody;
import io.dataland.kit.http.Text;
import io.dataland.kit.http.ApiException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code /v1/conversations}: list (keyset cursor), detail, rename and delete the caller's conversations. */
public final class ConversationService implements HttpService {

    private static final int DEFAULT_LIMIT = 20;

    private final UnitOfWork db;

    /** A service over {@code db}. */
    public ConversationService(UnitOfWork db) {
        this.db = db;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::listConversations)
                .get("/{id}", this::getConversation)
                .patch("/{id}", this::renameConversation)
                .delete("/{id}", this::deleteConversation);
    }

    private void listConversations(ServerRequest req, ServerResponse res) {
        String userId = BearerAuth.caller(req).sub();
        var query = req.query();
        int limit = query.contains("limit") ? limit(query.get("limit")) : DEFAULT_LIMIT;
        ConversationCursor before = null;
        if (query.contains("before")) {
            try {
                before = ConversationCursor.decode(query.get("before"));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid_cursor", "'before' is not a cursor this server issued");
            }
        }
        ConversationCursor after = before;
        Json.ok(res, ConversationView.Page.of(db.read(session -> ConversationRepository.list(session, userId, limit, after))));
    }

    private void getConversation(ServerRequest req, ServerResponse res) {
        String userId = BearerAuth.caller(req).sub();
        String id = id(req);
        ConversationDetail detail = db.read(session -> ConversationRepository.load(session, id, userId))
                .orElseThrow(() -> ApiException.notFound("conversation"));
        Json.ok(res, ConversationView.Detail.of(detail));
    }

    private void renameConversation(ServerRequest req, ServerResponse res) {
        String userId = BearerAuth.caller(req).sub();
        String title = Text.title(JsonBody.read(req).requiredString("title"));
        String id = id(req);
        Conversation renamed = db.inTransaction(session -> ConversationRepository.rename(session, id, userId, title))
                .orElseThrow(() -> ApiException.notFound("conversation"));
        Json.ok(res, ConversationView.of(renamed));
    }

    private void deleteConversation(ServerRequest req, ServerResponse res) {
        String userId = BearerAuth.caller(req).sub();
        String id = id(req);
        if (!db.inTransaction(session -> ConversationRepository.delete(session, id, userId))) {
            throw ApiException.notFound("conversation");
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    private static int limit(String raw) {
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= ConversationRepository.MAX_PAGE) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // falls through to the 400
        }
        throw ApiException.badRequest("invalid_limit", "'limit' must be a whole number from 1 to "
                + ConversationRepository.MAX_PAGE);
    }
}
