package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.dataland.auth.web.StaffPagesService;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Staff accounts over real HTTP: password change (JSON and form), sign-out clearing the cookies,
 * {@code __Host-} cookies, and emails NFC-normalised with invisible and direction characters refused.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class StaffAccountTest {

    private static final Map<String, String> ENV = Map.of("LOGIN_LOCK_ACCOUNT_FAILURES", "100",
            "LOGIN_LOCK_ADDRESS_FAILURES", "1000");
    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @Test
    void passwordChangeNeedsTheBearerAndTheCurrentPassword(TestDatabase db) {
        try (AuthFixture auth = AuthFixture.start(db, ENV)) {
            String token = auth.signup("changer@example.org", "the old password").get("access_token").asText();
            String bearer = "Bearer " + token;
            AuthApiContractTest.assertError(auth.postJson("/auth/password",
                    "{\"current_password\":\"a wrong guess\",\"new_password\":\"the new password\"}",
                    "Authorization", bearer), 401, "invalid_credentials");
            AuthApiContractTest.assertError(auth.postJson("/auth/password",
                    "{\"current_password\":\"the old password\",\"new_password\":\"short\"}",
                    "Authorization", bearer), 400, "weak_password");
            AuthApiContractTest.assertError(auth.postJson("/auth/password",
                    "{\"current_password\":\"the old password\",\"new_password\":\"the new password\"}"), 401, "unauthorized");
            assertEquals(200, auth.login("changer@example.org", "the old password").statusCode(), "nothing changed yet");

            HttpResponse<String> changed = auth.postJson("/auth/password",
                    "{\"current_password\":\"the old password\",\"new_password\":\"the new password\"}",
                    "Authorization", bearer);
            assertEquals(204, changed.statusCode(), changed.body());
            assertEquals(401, auth.login("changer@example.org", "the old password").statusCode());
            assertEquals(200, auth.login("changer@example.org", "the new password").statusCode());
        }
    }

    @Test
    void emailsAreNfcNormalisedAndInvisibleOrDirectionCharactersRefused(TestDatabase db) {
        try (AuthFixture auth = AuthFixture.start(db, ENV)) {
            auth.signup("rene\u0301@example.org", "a decomposed password"); // e + combining acute
            assertEquals(200, auth.login("ren\u00e9@example.org", "a decomposed password").statusCode(),
                    "the composed spelling is the same account");
            AuthApiContractTest.assertError(auth.postJson("/auth/signup",
                    "{\"email\":\"REN\u00c9@example.org\",\"password\":\"another password\"}"), 409, "email_taken");
            for (String sneaky : List.of("admin\u202e@example.org", "ad\u200bmin@example.org", "admin@exa\u2066mple.org",
                    "\ufeffadmin@example.org", "ad\u200dmin@example.org")) {
                AuthApiContractTest.assertError(auth.postJson("/auth/signup", "{\"email\":" + AuthFixture.quote(sneaky)
                        + ",\"password\":\"a fine password\"}"), 400, "invalid_email");
            }
        }
    }

    @Test
    void emailsWithAnySpaceOrControlCharacterInsideAreRefusedAtSignupAndLogin(TestDatabase db) {
        try (AuthFixture auth = AuthFixture.start(db, ENV)) {
            // no-break spaces are not Character.isWhitespace; the others are space separators, line breaks, controls
            for (String spaced : List.of("a\u00a0x@example.com", "a\u2007x@example.com", "a\u202fx@example.com",
                    "a x@example.com", "a\u3000x@example.com", "a\u2028x@example.com", "a\u0085x@example.com",
                    "a\tx@example.com", "ax@exa\u00a0mple.com")) {
                AuthApiContractTest.assertError(auth.postJson("/auth/signup", "{\"email\":" + AuthFixture.quote(spaced)
                        + ",\"password\":\"a fine password\"}"), 400, "invalid_email");
                AuthApiContractTest.assertError(auth.login(spaced, "a fine password"), 400, "invalid_email");
            }
            assertEquals(201, auth.postJson("/auth/signup", "{\"email\":\"ax@example.com\",\"password\":\"a fine password\"}")
                    .statusCode(), "the same address without the space");
        }
    }

    @Test
    void theFormsUseHostCookiesChangeThePasswordAndSignOutClearsBothCookies(TestDatabase db) {
        try (AuthFixture auth = AuthFixture.start(db, ENV)) {
            HttpResponse<String> signupPage = auth.get("/signup");
            String csrf = csrf(signupPage);
            String csrfCookie = cookie(signupPage, StaffPagesService.CSRF_COOKIE);
            assertTrue(StaffPagesService.CSRF_COOKIE.startsWith("__Host-"));
            HttpResponse<String> signedUp = auth.postForm("/signup", form(Map.of("csrf", csrf, "email", "form@example.org",
                    "password", "the form password")), "Cookie", StaffPagesService.CSRF_COOKIE + "=" + csrfCookie);
            assertEquals(200, signedUp.statusCode(), signedUp.body());
            String tokenHeader = setCookie(signedUp, StaffPagesService.TOKEN_COOKIE);
            assertTrue(tokenHeader.startsWith("__Host-dataland_token=") && tokenHeader.contains("Secure")
                    && tokenHeader.contains("Path=/") && !tokenHeader.contains("Domain"), tokenHeader);
            String token = value(tokenHeader);

            HttpResponse<String> page = auth.get("/password", "Cookie", StaffPagesService.TOKEN_COOKIE + "=" + token);
            String cookies = StaffPagesService.CSRF_COOKIE + "=" + cookie(page, StaffPagesService.CSRF_COOKIE) + "; "
                    + StaffPagesService.TOKEN_COOKIE + "=" + token;
            HttpResponse<String> wrong = auth.postForm("/password", form(Map.of("csrf", csrf(page),
                    "current_password", "not it", "new_password", "the changed password")), "Cookie", cookies);
            assertEquals(401, wrong.statusCode(), wrong.body());
            HttpResponse<String> noCookie = auth.postForm("/password", form(Map.of("csrf", csrf(page),
                    "current_password", "the form password", "new_password", "the changed password")),
                    "Cookie", StaffPagesService.CSRF_COOKIE + "=" + cookie(page, StaffPagesService.CSRF_COOKIE));
            assertEquals(401, noCookie.statusCode(), "the signed-in cookie names the account");
            HttpResponse<String> changed = auth.postForm("/password", form(Map.of("csrf", csrf(page),
                    "current_password", "the form password", "new_password", "the changed password")), "Cookie", cookies);
            assertEquals(200, changed.statusCode(), changed.body());
            assertTrue(changed.body().contains("id=\"password-changed\""), changed.body());
            assertEquals(200, auth.login("form@example.org", "the changed password").statusCode());

            HttpResponse<String> forged = auth.postForm("/logout", "csrf=forged", "Cookie", cookies);
            assertEquals(403, forged.statusCode(), "sign-out is CSRF-checked");
            HttpResponse<String> out = auth.postForm("/logout", form(Map.of("csrf", csrf(page))), "Cookie", cookies);
            assertEquals(200, out.statusCode(), out.body());
            for (String name : List.of(StaffPagesService.TOKEN_COOKIE, StaffPagesService.CSRF_COOKIE)) {
                String cleared = setCookie(out, name);
                assertTrue(cleared.startsWith(name + "=;") && cleared.contains("Expires=") && cleared.contains("1970")
                                && cleared.contains("Path=/") && cleared.contains("Secure"),
                        cleared);
            }
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private static String csrf(HttpResponse<String> page) {
        Matcher m = CSRF_FIELD.matcher(page.body());
        assertTrue(m.find(), page.body());
        return m.group(1);
    }

    private static String setCookie(HttpResponse<String> res, String name) {
        return res.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + name + " in " + res.headers().allValues("Set-Cookie")));
    }

    private static String cookie(HttpResponse<String> res, String name) {
        return value(setCookie(res, name));
    }

    private static String value(String setCookie) {
        String pair = setCookie.split(";", 2)[0];
        return pair.substring(pair.indexOf('=') + 1);
    }
}
