package io.dataland.agent.user;

import io.dataland.kit.http.Json;
import io.dataland.kit.http.ApiException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /v1/me}: the caller's {@code users} row, as the bearer filter just wrote or read it. */
public final class MeService implements HttpService {

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::getMe);
    }

    private void getMe(ServerRequest req, ServerResponse res) {
        User user = req.context().get(User.class).orElseThrow(() ->
                new ApiException(Status.INTERNAL_SERVER_ERROR_500, "internal_error", "internal error"));
        Json.ok(res, user);
    }
}
