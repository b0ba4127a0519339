package io.dataland.agent.message;

import java.util.Optional;

import io.dataland.agent.security.BearerAuth;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.http.Json;
import io.dataland.kit.http.JsonBody;
import io.dataland.kit.http.ApiException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code PUT /v1/messages/{id}/feedback}: like, dislike or clear an assistant message of the caller's. */
public final class MessageService implements HttpService {

    private final UnitOfWork db;

    /** A service over {@code db}. */
    public MessageService(UnitOfWork db) {
        this.db = db;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.put("/{id}/feedback", this::putFeedback);
    }

    private void putFeedback(ServerRequest req, ServerResponse res) {
        String userId = BearerAuth.caller(req).sub();
        String id = req.path().pathParameters().get("id");
        Optional<String> feedback = JsonBody.read(req).requiredNullableString("feedback");
        if (feedback.isPresent() && !MessageRepository.FEEDBACK_VALUES.contains(feedback.get())) {
            throw ApiException.badRequest("invalid_feedback", "'feedback' must be \"like\", \"dislike\" or null");
        }
        MessageFeedback updated = db.inTransaction(session ->
                        MessageRepository.setFeedback(session, id, userId, feedback.orElse(null)))
                .orElseThrow(() -> ApiException.notFound("message"));
        Json.ok(res, updated);
    }
}
