package io.dataland.auth.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

import io.dataland.auth.account.Authenticator;
import io.dataland.auth.token.Tokens;
import io.dataland.auth.account.ClientAddress;
import io.dataland.kit.http.ApiException;
import io.dataland.kit.http.RetryAfter;
import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The staff HTML forms: {@code GET/POST /login}, {@code /signup} and {@code /password}, and
 * {@code POST /logout}; server-rendered, no JavaScript.
 *
 * <p>CSRF: double-submit cookie. Every form carries a random token that is also set in a
 * {@code HttpOnly; Secure; SameSite=Strict} cookie; a POST whose field and cookie differ is refused (403)
 * and changes nothing. Errors re-render the form with the email kept and the password not. Success sets
 * the access token cookie ({@code HttpOnly; Secure; SameSite=Strict}) and shows a signed-in page; there
 * is no redirect at all, so no {@code next} parameter can send anyone elsewhere.
 */
public final class StaffPagesService implements HttpService {

    /**
     * The cookie holding the access token. The {@code __Host-} prefix makes browsers accept it only with
     * {@code Secure}, {@code Path=/} and no {@code Domain}, so a sibling subdomain cannot plant or shadow it.
     */
    public static final String TOKEN_COOKIE = "__Host-dataland_token";
    /** The CSRF cookie (and form field {@code csrf}), {@code __Host-} prefixed for the same reason. */
    public static final String CSRF_COOKIE = "__Host-dataland_csrf";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Authenticator authenticator;
    private final Tokens tokens;
    private final Duration tokenTtl;
    private final ClientAddress clients;

    /**
     * Pages over {@code authenticator}; {@code tokens} reads the token cookie, which lives for
     * {@code tokenTtl}; {@code clients} keys callers for the throttle.
     */
    public StaffPagesService(Authenticator authenticator, Tokens tokens, Duration tokenTtl, ClientAddress clients) {
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.tokenTtl = tokenTtl;
        this.clients = clients;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/login", (req, res) -> showForm(res, "login", Status.OK_200, null, null, null))
                .post("/login", this::submitLogin)
                .get("/signup", (req, res) -> showForm(res, "signup", Status.OK_200, null, null, null))
                .post("/signup", this::submitSignup)
                .get("/password", this::showPassword)
                .post("/password", this::submitPassword)
                .post("/logout", this::signOut);
    }

    /** The password form, for a signed-in caller only (401 without a valid token cookie). */
    private void showPassword(ServerRequest req, ServerResponse res) {
        if (signedInSub(req) == null) {
            signInFirst(res);
            return;
        }
        showForm(res, "password", Status.OK_200, null, null, null);
    }

    /** The password form: the signed-in cookie names the account, the form proves the current password. */
    private void submitPassword(ServerRequest req, ServerResponse res) {
        FormBody form;
        try {
            form = FormBody.read(req);
        } catch (ApiException e) {
            showForm(res, "password", e.status(), null, null, e.getMessage());
            return;
        }
        if (!csrfMatches(req, form.get("csrf"))) {
            showForm(res, "password", Status.FORBIDDEN_403, null, null, "This form has expired. Please submit it again.");
            return;
        }
        String sub = signedInSub(req);
        if (sub == null) {
            signInFirst(res);
            return;
        }
        try {
            authenticator.changePassword(sub, form.get("current_password"), form.get("new_password"),
                    clients.of(req));
            send(res, Status.OK_200, Html.message("Password changed", "password-changed",
                    "Your password has been changed."));
        } catch (ApiException e) {
            e.retryAfter().ifPresent(d -> RetryAfter.set(res, d));
            showForm(res, "password", e.status(), null, null, e.getMessage());
        }
    }

    /**
     * Sign-out: both cookies expire now (same name, path and attributes, {@code Expires} in 1970). CSRF-checked,
     * so another site cannot sign a user out. The token itself stays valid until its {@code exp}.
     */
    private void signOut(ServerRequest req, ServerResponse res) {
        FormBody form;
        try {
            form = FormBody.read(req);
        } catch (ApiException e) {
            showForm(res, "login", e.status(), null, null, e.getMessage());
            return;
        }
        if (!csrfMatches(req, form.get("csrf"))) {
            showForm(res, "login", Status.FORBIDDEN_403, null, null, "This form has expired. Please submit it again.");
            return;
        }
        for (String name : new String[] {TOKEN_COOKIE, CSRF_COOKIE}) {
            // an Expires in the past deletes the cookie (Helidon writes no Max-Age for zero)
            res.headers().addCookie(SetCookie.builder(name, "").path("/").expires(java.time.Instant.EPOCH).httpOnly(true)
                    .secure(true).sameSite(SetCookie.SameSite.STRICT).build());
        }
        send(res, Status.OK_200, Html.message("Signed out", "signed-out", "You are signed out."));
    }

    private void submitLogin(ServerRequest req, ServerResponse res) {
        submit(req, res, "login", form -> authenticator.login(form.get("email"), form.get("password"),
                clients.of(req)));
    }

    private void submitSignup(ServerRequest req, ServerResponse res) {
        submit(req, res, "signup", form -> authenticator.signup(new Authenticator.Signup(form.get("email"),
                form.get("password"), form.optional("full_name"), null, null), clients.of(req)));
    }

    private void submit(ServerRequest req, ServerResponse res, String kind,
                        java.util.function.Function<FormBody, Authenticator.SignedIn> action) {
        FormBody form;
        try {
            form = FormBody.read(req);
        } catch (ApiException e) {
            showForm(res, kind, e.status(), null, null, e.getMessage());
            return;
        }
        String email = form.get("email").strip();
        if (!csrfMatches(req, form.get("csrf"))) {
            showForm(res, kind, Status.FORBIDDEN_403, email, form.optional("full_name"),
                    "This form has expired. Please submit it again.");
            return;
        }
        try {
            Authenticator.SignedIn signedIn = action.apply(form);
            res.headers().addCookie(SetCookie.builder(TOKEN_COOKIE, signedIn.token().token())
                    .path("/").maxAge(tokenTtl).httpOnly(true).secure(true)
                    .sameSite(SetCookie.SameSite.STRICT).build());
            send(res, Status.OK_200, Html.signedIn(signedIn.email(), signedIn.sub(), signOutCsrf(res)));
        } catch (ApiException e) {
            e.retryAfter().ifPresent(d -> RetryAfter.set(res, d));
            showForm(res, kind, e.status(), email, form.optional("full_name"), e.getMessage());
        }
    }

    /** The account the token cookie names, or null without the cookie or when its token does not verify. */
    private String signedInSub(ServerRequest req) {
        return req.headers().cookies().first(TOKEN_COOKIE).flatMap(tokens::verify)
                .map(claims -> claims.getSubject()).orElse(null);
    }

    /** 401: the password page with the error and a link to the sign-in form. */
    private static void signInFirst(ServerResponse res) {
        send(res, Status.UNAUTHORIZED_401, Html.signInFirst(signOutCsrf(res)));
    }

    private void showForm(ServerResponse res, String kind, Status status, String email, String fullName, String error) {
        String csrf = signOutCsrf(res);
        send(res, status, Html.form(kind, csrf, email, fullName, error == null ? null : sentence(error)));
    }

    /** A fresh CSRF token, set in its cookie, for the forms of the page being sent. */
    private static String signOutCsrf(ServerResponse res) {
        String csrf = newCsrfToken();
        res.headers().addCookie(SetCookie.builder(CSRF_COOKIE, csrf).path("/").httpOnly(true).secure(true)
                .sameSite(SetCookie.SameSite.STRICT).build());
        return csrf;
    }

    private static void send(ServerResponse res, Status status, String html) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                + "frame-ancestors 'none'; base-uri 'none'");
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Referrer-Policy", "no-referrer");
        res.send(html.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean csrfMatches(ServerRequest req, String field) {
        String cookie = req.headers().cookies().first(CSRF_COOKIE).orElse("");
        return !field.isEmpty() && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8),
                field.getBytes(StandardCharsets.UTF_8));
    }

    private static String newCsrfToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String sentence(String message) {
        return Character.toUpperCase(message.charAt(0)) + message.substring(1) + ".";
    }
}
