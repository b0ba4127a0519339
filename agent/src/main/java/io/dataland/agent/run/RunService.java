package io.dataland.agent.run;

import io.dataland.agent.security.BearerAuth;
import io.dataland.kit.http.Json;
import io.dataland.kit.http.ApiException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /v1/runs/{id}}: the caller's run row. */
public final class RunService implements HttpService {

    private final RunRepository runs;

    /** A service over {@code runs}. */
    public RunService(RunRepository runs) {
        this.runs = runs;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/{id}", this::getRun);
    }

    private void getRun(ServerRequest req, ServerResponse res) {
        String userId = BearerAuth.caller(req).sub();
        Run run = runs.find(req.path().pathParameters().get("id"), userId)
                .orElseThrow(() -> ApiException.notFound("run"));
        Json.ok(res, run);
    }
}
