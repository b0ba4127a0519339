package io.dataland.auth.account;

import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dataland.auth.token.Tokens;
import io.dataland.kit.http.ApiException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** The JSON API under {@code /auth}: {@code POST /signup}, {@code POST /login}, {@code GET /me}. */
public final class AuthApiService implements HttpService {

    private final Authenticator authenticator;
    private final Tokens tokens;

    /** Serves {@code authenticator}'s signup and login; {@code tokens} checks bearer tokens. */
    public AuthApiService(Authenticator authenticator, Tokens tokens) {
        this.authenticator = authenticator;
        this.tokens = tokens;
    }

    /** {@code POST /auth/signup}'s answer. */
    record SignupAnswer(String sub, String email, String accessToken, String tokenType, long expiresIn) {
    }

    /** {@code POST /auth/login}'s answer. */
    record LoginAnswer(String sub, String accessToken, String tokenType, long expiresIn) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/signup", this::signup)
                .post("/login", this::login)
                .get("/me", this::getMe);
    }

    private void signup(ServerRequest req, ServerResponse res) {
        ObjectNode body = JsonIo.readObject(req);
        var signedIn = authenticator.signup(new Authenticator.Signup(
                JsonIo.requiredString(body, "email"), JsonIo.requiredString(body, "password"),
                JsonIo.optionalString(body, "full_name"), JsonIo.optionalString(body, "location"),
                JsonIo.optionalString(body, "profile_photo_url")));
        JsonIo.send(res, Status.CREATED_201, new SignupAnswer(signedIn.sub(), signedIn.email(),
                signedIn.token().token(), "Bearer", signedIn.token().expiresIn()));
    }

    private void login(ServerRequest req, ServerResponse res) {
        ObjectNode body = JsonIo.readObject(req);
        var signedIn = authenticator.login(JsonIo.requiredString(body, "email"),
                JsonIo.requiredString(body, "password"), ClientAddress.of(req));
        JsonIo.send(res, Status.OK_200, new LoginAnswer(signedIn.sub(), signedIn.token().token(), "Bearer",
                signedIn.token().expiresIn()));
    }

    private void getMe(ServerRequest req, ServerResponse res) {
        String sub = bearer(req).flatMap(tokens::verify).map(claims -> claims.getSubject())
                .orElseThrow(() -> new ApiException(Status.UNAUTHORIZED_401, "invalid_token",
                        "a valid bearer token is required"));
        Account account = authenticator.account(sub).orElseThrow(() -> new ApiException(Status.UNAUTHORIZED_401,
                "invalid_token", "the token's account no longer exists"));
        JsonIo.send(res, Status.OK_200, AccountView.of(account));
    }

    private static Optional<String> bearer(ServerRequest req) {
        return req.headers().first(HeaderNames.AUTHORIZATION)
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).strip())
                .filter(token -> !token.isEmpty());
    }
}
