package io.dataland.agent.run;

import io.dataland.agent.security.BearerAuth;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.http.Json;
import io.dataland.kit.http.ApiException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /v1/runs/{id}}: the caller's run row. */
public final class RunService implements HttpService {

    private final UnitOfWork db;

    /** A service over {@code db}. */
    public RunService(UnitOfWork db) {
        this.db = db;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/{id}", this::getRun);
    }

    private void getRun(ServerRequest req, ServerResponse res) {
        String userId = BearerAuth.caller(req).sub();
        String id = req.path().pathParameters().get("id");
        Run run = db.read(session -> RunRepository.find(session, id, userId))
                .orElseThrow(() -> ApiException.notFound("run"));
        Json.ok(res, run);
    }
}
