package io.dataland.auth.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.dataland.auth.AuthServer;
import io.dataland.kit.config.Settings;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.RawHttp;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The staff forms over plain HTTP: markup, CSRF, error re-render, cookie attributes, no redirects. */
@ExtendWith(EmbeddedPostgresExtension.class)
class StaffFormsTest {

    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private static AuthServer server;
    private static FormClient client;

    @BeforeAll
    static void start(TestDatabase db) throws Exception {
        server = AuthServer.start(Settings.load(Map.of("DATABASE_URL", db.databaseUrl(), "AUTH_PORT", "0",
                "AUTH_DATA_DIR", Files.createTempDirectory("auth-data").toString(), "DB_POOL_SIZE", "2",
                "LOGIN_LOCK_ACCOUNT_FAILURES", "100", "LOGIN_LOCK_ADDRESS_FAILURES", "1000",
                "SIGNUP_LIMIT_PER_ADDRESS", "100000"), "application.yaml"));
        client = new FormClient("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theFormsAreLabelledAndCarryACsrfToken() {
        for (String path : List.of("/login", "/signup")) {
            HttpResponse<String> page = client.get(path);
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(""));
            String html = page.body();
            assertTrue(html.contains("<label for=\"email\">") && html.contains("id=\"email\""), html);
            assertTrue(html.contains("<label for=\"password\">") && html.contains("id=\"password\""), html);
            assertTrue(html.contains("method=\"post\" action=\"" + path + "\""), html);
            assertFalse(html.contains("<script"), "works without JavaScript");
            String cookie = setCookie(page, StaffPagesService.CSRF_COOKIE);
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Strict"), cookie);
            assertEquals(cookieValue(cookie), csrfField(html));
        }
    }

    @Test
    void signupThenLoginSetTheTokenCookieAndShowTheSignedInPage() {
        HttpResponse<String> signup = client.submit("/signup", Map.of("email", "Staff@Example.org",
                "password", "staff password 1", "full_name", "Sam Staff"));
        assertEquals(200, signup.statusCode(), signup.body());
        assertTrue(signup.body().contains("signed in as <strong>staff@example.org</strong>"), signup.body());
        String token = setCookie(signup, StaffPagesService.TOKEN_COOKIE);
        for (String attribute : List.of("HttpOnly", "Secure", "SameSite=Strict", "Path=/")) {
            assertTrue(token.contains(attribute), attribute + " in " + token);
        }
        String jwt = cookieValue(token);
        assertFalse(signup.body().contains(jwt), "the token is not in the page");

        HttpResponse<String> login = client.submit("/login?next=https://evil.example/steal",
                Map.of("email", "staff@example.org", "password", "staff password 1", "next", "//evil.example"));
        assertEquals(200, login.statusCode(), "a page, never a redirect");
        assertTrue(login.headers().firstValue("Location").isEmpty());
        assertFalse(login.body().contains("evil.example"));
        assertTrue(cookieValue(setCookie(login, StaffPagesService.TOKEN_COOKIE)).startsWith("ey"));
    }

    @Test
    void aFailedLoginReRendersTheFormKeepingTheEmailNotThePassword() {
        HttpResponse<String> res = client.submit("/login", Map.of("email", "nobody@example.org",
                "password", "Secret-Do-Not-Echo"));
        assertEquals(401, res.statusCode());
        assertTrue(res.body().contains("role=\"alert\""), res.body());
        assertTrue(res.body().contains("Email or password is wrong."), res.body());
        assertTrue(res.body().contains("value=\"nobody@example.org\""), res.body());
        assertFalse(res.body().contains("Secret-Do-Not-Echo"));
        assertTrue(res.headers().allValues("Set-Cookie").stream().noneMatch(c -> c.startsWith(StaffPagesService.TOKEN_COOKIE)));
    }

    @Test
    void signupErrorsReRenderWithTheReason() {
        client.submit("/signup", Map.of("email", "taken@example.org", "password", "taken password"));
        HttpResponse<String> taken = client.submit("/signup", Map.of("email", "taken@example.org", "password", "other password"));
        assertEquals(409, taken.statusCode());
        assertTrue(taken.body().contains("An account with this email already exists."), taken.body());
        HttpResponse<String> weak = client.submit("/signup", Map.of("email", "weak@example.org", "password", "short"));
        assertEquals(400, weak.statusCode());
        assertTrue(weak.body().contains("at least 8 characters"));
        assertTrue(weak.body().contains("value=\"weak@example.org\""));
    }

    @Test
    void userInputIsEscaped() {
        HttpResponse<String> res = client.submit("/login", Map.of("email", "\"><script>alert(1)</script>@x.org",
                "password", "whatever password"));
        assertFalse(res.body().contains("<script>alert(1)</script>"), res.body());
        assertTrue(res.body().contains("&lt;script&gt;"), res.body());
    }

    @Test
    void thePasswordPageIs401WithoutAValidTokenCookieAndSaysToSignIn() {
        HttpResponse<String> signup = client.submit("/signup", Map.of("email", "pw-page@example.org",
                "password", "pw page password"));
        String jwt = cookieValue(setCookie(signup, StaffPagesService.TOKEN_COOKIE));
        String tampered = jwt.substring(0, jwt.length() - 4) + (jwt.endsWith("AAAA") ? "BBBB" : "AAAA");
        for (String token : new String[] {null, "", "not-a-jwt", tampered}) {
            assertSignInFirst(client.get("/password", token == null ? null : StaffPagesService.TOKEN_COOKIE + "=" + token),
                    "GET with token cookie " + token);
        }
        HttpResponse<String> page = client.get("/password", StaffPagesService.TOKEN_COOKIE + "=" + jwt);
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("id=\"current_password\"") && !page.body().contains("role=\"alert\""), page.body());
        // POST without the token cookie answers the same page
        assertSignInFirst(client.postRaw("/password", form(Map.of("csrf", csrfField(page.body()), "current_password",
                "pw page password", "new_password", "another pw password")),
                cookieValue(setCookie(page, StaffPagesService.CSRF_COOKIE))), "POST without a token cookie");
    }

    private static void assertSignInFirst(HttpResponse<String> res, String what) {
        assertEquals(401, res.statusCode(), what + ": " + res.body());
        assertTrue(res.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), what);
        assertTrue(res.body().contains("Please sign in first.") && res.body().contains("href=\"/login\""),
                what + ": " + res.body());
    }

    @Test
    void aPostWithoutTheMatchingCsrfTokenIsRefusedAndChangesNothing() {
        HttpResponse<String> noCookie = client.postRaw("/signup", form(Map.of("csrf", "forged", "email", "csrf@example.org",
                "password", "csrf password 1")), null);
        assertEquals(403, noCookie.statusCode());
        assertTrue(noCookie.body().contains("This form has expired"));
        HttpResponse<String> mismatch = client.postRaw("/signup", form(Map.of("csrf", "forged", "email", "csrf@example.org",
                "password", "csrf password 1")), "other-value");
        assertEquals(403, mismatch.statusCode());
        HttpResponse<String> login = client.submit("/login", Map.of("email", "csrf@example.org", "password", "csrf password 1"));
        assertEquals(401, login.statusCode(), "no account was created");
    }

    @Test
    void aFormBodyOverTheLimitIsAnsweredWithItsPageAndTheConnectionKept() throws Exception {
        Map<String, String> formType = Map.of("Content-Type", "application/x-www-form-urlencoded");
        try (RawHttp.KeepAlive connection = RawHttp.open(server.port())) {
            for (String path : List.of("/login", "/signup", "/password")) {
                for (int length : new int[] {65_537, 100_000}) {
                    for (boolean chunked : new boolean[] {false, true}) {
                        String what = path + " " + length + (chunked ? " bytes chunked" : " bytes");
                        RawHttp.Answer refused = connection.send("POST", path, formType, formOf(length), chunked);
                        assertFormPage(refused, 413, what);
                        assertTrue(refused.body().contains("action=\"" + path + "\""), what + ": " + refused.body());
                        RawHttp.Answer next = connection.send("GET", "/login", Map.of(), null, false);
                        assertEquals(200, next.status(), what + ": the connection serves the next request");
                    }
                }
                // exactly the limit is read: the CSRF check answers, not the limit
                assertFormPage(connection.send("POST", path, formType, formOf(65_536), false), 403, path + " 65536 bytes");
            }
        }
        // a client that closes after its request and is still sending when the answer comes sees the page too
        for (boolean chunked : new boolean[] {false, true}) {
            assertFormPage(RawHttp.post(server.port(), "/signup", formType, formOf(100_000), chunked), 413,
                    "Connection: close" + (chunked ? ", chunked" : ""));
        }
        // the JSON API is unchanged: its 413 is the JSON error
        RawHttp.Answer json = RawHttp.post(server.port(), "/auth/login", Map.of("Content-Type", "application/json"),
                formOf(100_000), false);
        assertEquals(413, json.status(), json.body());
        assertTrue(json.body().contains("\"error\":\"payload_too_large\""), json.body());
    }

    @Test
    void aFormOverTheLimitFromAClientWaitingOnExpectContinueIsAnsweredAtOnce() throws Exception {
        // headers only: a client waiting on 100-continue sends no body until told; the read fails if the
        // server asks for the body (100) or waits for it
        try (RawHttp.KeepAlive connection = RawHttp.open(server.port())) {
            RawHttp.Answer refused = connection.send("POST", "/login", Map.of("Content-Type",
                    "application/x-www-form-urlencoded", "Content-Length", "100000", "Expect", "100-continue"), null, false);
            assertFormPage(refused, 413, "Expect: 100-continue");
            assertEquals("close", refused.headers().get("connection"), "the server will not read the body");
        }
    }

    private static byte[] formOf(int length) {
        return ("csrf=x&email=a%40example.org&pad=" + "p".repeat(length - 33)).getBytes(StandardCharsets.US_ASCII);
    }

    private static void assertFormPage(RawHttp.Answer answer, int status, String what) {
        assertEquals(status, answer.status(), what + ": " + answer.body());
        assertTrue(answer.headers().getOrDefault("content-type", "").startsWith("text/html"), what + ": " + answer.headers());
        assertTrue(answer.body().contains("id=\"error\"") && answer.body().contains("<form"), what + ": " + answer.body());
    }

    static String form(Map<String, String> fields) {
        StringBuilder out = new StringBuilder();
        fields.forEach((k, v) -> out.append(out.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return out.toString();
    }

    static String csrfField(String html) {
        Matcher m = CSRF_FIELD.matcher(html);
        assertTrue(m.find(), "csrf field in " + html);
        return m.group(1);
    }

    static String setCookie(HttpResponse<String> res, String name) {
        return res.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " cookie in " + res.headers().map()));
    }

    static String cookieValue(String setCookie) {
        String pair = setCookie.split(";", 2)[0];
        return pair.substring(pair.indexOf('=') + 1);
    }

    /** GETs the form for its CSRF token and cookie, then POSTs with both, like a browser. */
    record FormClient(String base) {
        HttpResponse<String> get(String path) {
            return get(path, null);
        }

        /** GETs {@code path} sending {@code cookie} (null: none). */
        HttpResponse<String> get(String path, String cookie) {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path)).GET();
            return send(cookie == null ? request : request.header("Cookie", cookie));
        }

        HttpResponse<String> submit(String path, Map<String, String> fields) {
            String formPath = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            HttpResponse<String> page = get(formPath);
            String csrf = csrfField(page.body());
            Map<String, String> all = new java.util.HashMap<>(fields);
            all.put("csrf", csrf);
            return postRaw(path, form(all), cookieValue(setCookie(page, StaffPagesService.CSRF_COOKIE)));
        }

        HttpResponse<String> postRaw(String path, String body, String csrfCookie) {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
            if (csrfCookie != null) {
                request.header("Cookie", StaffPagesService.CSRF_COOKIE + "=" + csrfCookie);
            }
            return send(request);
        }

        private static HttpResponse<String> send(java.net.http.HttpRequest.Builder request) {
            try {
                return java.net.http.HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
