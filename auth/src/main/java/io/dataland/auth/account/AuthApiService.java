package io.dataland.auth.account;

import io.dataland.auth.token.Tokens;
import io.dataland.kit.http.Bearer;
import io.dataland.kit.http.Json;
import io.dataland.kit.http.JsonBody;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The JSON API under {@code /auth}: {@code POST /signup}, {@code POST /login}, {@code GET /me},
 * {@code POST /password}.
 */
public final class AuthApiService implements HttpService {

    private final Authenticator authenticator;
    private final Tokens tokens;
    private final ClientAddress clients;

    /** Serves {@code authenticator}'s signup and login; {@code tokens} checks bearer tokens; {@code clients} keys callers. */
    public AuthApiService(Authenticator authenticator, Tokens tokens, ClientAddress clients) {
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.clients = clients;
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
                .get("/me", this::getMe)
                .post("/password", this::changePassword);
    }

    private void signup(ServerRequest req, ServerResponse res) {
        JsonBody body = JsonBody.read(req);
        var signedIn = authenticator.signup(new Authenticator.Signup(
                body.requiredString("email"), body.requiredString("password"),
                body.optionalString("full_name").orElse(null), body.optionalString("location").orElse(null),
                body.optionalString("profile_photo_url").orElse(null)), clients.of(req));
        send(res, Status.CREATED_201, new SignupAnswer(signedIn.sub(), signedIn.email(),
                signedIn.token().token(), "Bearer", signedIn.token().expiresIn()));
    }

    private void login(ServerRequest req, ServerResponse res) {
        JsonBody body = JsonBody.read(req);
        var signedIn = authenticator.login(body.requiredString("email"), body.requiredString("password"),
                clients.of(req));
        send(res, Status.OK_200, new LoginAnswer(signedIn.sub(), signedIn.token().token(), "Bearer",
                signedIn.token().expiresIn()));
    }

    private void changePassword(ServerRequest req, ServerResponse res) {
        String sub = tokens.verify(Bearer.require(req.headers())).map(claims -> claims.getSubject())
                .orElseThrow(() -> Bearer.unauthorized("invalid or expired token"));
        JsonBody body = JsonBody.read(req);
        authenticator.changePassword(sub, body.requiredString("current_password"), body.requiredString("new_password"),
                clients.of(req));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.status(Status.NO_CONTENT_204).send();
    }

    private void getMe(ServerRequest req, ServerResponse res) {
        String sub = tokens.verify(Bearer.require(req.headers())).map(claims -> claims.getSubject())
                .orElseThrow(() -> Bearer.unauthorized("invalid or expired token"));
        Account account = authenticator.account(sub)
                .orElseThrow(() -> Bearer.unauthorized("the token's account no longer exists"));
        send(res, Status.OK_200, AccountView.of(account));
    }

    // answers carry tokens or account data: never stored by a cache on the way
    private static void send(ServerResponse res, Status status, Object value) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, status, value);
    }
}
