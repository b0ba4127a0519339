package io.dataland.auth;

import static io.dataland.testkit.HostileValues.abbreviate;
import static io.dataland.testkit.HostileValues.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import io.dataland.auth.web.StaffPagesService;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.HostileValues;
import io.dataland.testkit.HostileValues.Bad;
import io.dataland.testkit.RawHttp;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shared corpus of bad values ({@link HostileValues}) against every auth input: the JSON routes' body
 * fields ({@code /auth/signup}, {@code /auth/login}, {@code /auth/password}), the bearer header of
 * {@code /auth/me}, and the HTML form fields ({@code /signup}, {@code /login}, {@code /password}). Each
 * answer is 4xx (JSON routes: the JSON error shape; forms: the page with its error), never 2xx or 5xx,
 * and no row of {@code auth_server_users} changes. The corpus's JSON escape sequences go to JSON fields
 * only: in a form or a header they are plain text.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class AuthHostileInputTest {

    private static final String PASSWORD = "a good long password";
    private static final String CSRF = "hostile-test-csrf-token";

    /** One input of one route: the request with the bad value in it, and whether it is a form route. */
    record Slot(String route, boolean form, Function<Bad, HttpRequest.Builder> request) {
    }

    @Test
    void everyAuthInputRefusesTheCorpusAndNoAccountChanges(TestDatabase db) throws Exception {
        // the lockout is out of the way, so each bad value meets the field rules, not a 429 (LockoutTest covers it)
        try (AuthFixture auth = AuthFixture.start(db, Map.of("LOGIN_LOCK_ACCOUNT_FAILURES", "100000",
                "LOGIN_LOCK_ADDRESS_FAILURES", "100000"))) {
            String email = "hostile-" + UUID.randomUUID() + "@example.org";
            String token = auth.signup(email, PASSWORD).get("access_token").asText();
            String cookies = StaffPagesService.CSRF_COOKIE + "=" + CSRF + "; " + StaffPagesService.TOKEN_COOKIE + "=" + token;
            String fresh = "{\"email\":\"new-" + UUID.randomUUID() + "@example.org\",\"password\":\"" + PASSWORD + "\"";
            String freshForm = "csrf=" + CSRF + "&email=new-" + UUID.randomUUID() + "%40example.org&password=" + PASSWORD.replace(' ', '+');

            List<Slot> slots = List.of(
                    json(auth, "POST /auth/signup email", "/auth/signup", null,
                            bad -> concat("{\"email\":", bad.json(), ",\"password\":\"" + PASSWORD + "\"}")),
                    json(auth, "POST /auth/signup password", "/auth/signup", null,
                            bad -> concat(fresh.substring(0, fresh.indexOf(",\"password\"")) + ",\"password\":", bad.json(), "}")),
                    json(auth, "POST /auth/signup full_name", "/auth/signup", null,
                            bad -> concat(fresh + ",\"full_name\":", bad.json(), "}")),
                    json(auth, "POST /auth/signup location", "/auth/signup", null,
                            bad -> concat(fresh + ",\"location\":", bad.json(), "}")),
                    json(auth, "POST /auth/signup profile_photo_url", "/auth/signup", null,
                            bad -> concat(fresh + ",\"profile_photo_url\":", bad.json(), "}")),
                    json(auth, "POST /auth/login email", "/auth/login", null,
                            bad -> concat("{\"email\":", bad.json(), ",\"password\":\"" + PASSWORD + "\"}")),
                    json(auth, "POST /auth/login password", "/auth/login", null,
                            bad -> concat("{\"email\":\"" + email + "\",\"password\":", bad.json(), "}")),
                    json(auth, "POST /auth/password current_password", "/auth/password", token,
                            bad -> concat("{\"current_password\":", bad.json(), ",\"new_password\":\"another long password\"}")),
                    json(auth, "POST /auth/password new_password", "/auth/password", token,
                            bad -> concat("{\"current_password\":\"" + PASSWORD + "\",\"new_password\":", bad.json(), "}")),
                    form(auth, "POST /signup email", "/signup", cookies,
                            bad -> "csrf=" + CSRF + "&email=" + bad.url() + "&password=" + PASSWORD.replace(' ', '+')),
                    form(auth, "POST /signup password", "/signup", cookies,
                            bad -> freshForm.substring(0, freshForm.indexOf("&password=")) + "&password=" + bad.url()),
                    form(auth, "POST /signup full_name", "/signup", cookies,
                            bad -> freshForm + "&full_name=" + bad.url()),
                    form(auth, "POST /login email", "/login", cookies,
                            bad -> "csrf=" + CSRF + "&email=" + bad.url() + "&password=" + PASSWORD.replace(' ', '+')),
                    form(auth, "POST /login password", "/login", cookies,
                            bad -> "csrf=" + CSRF + "&email=" + email.replace("@", "%40") + "&password=" + bad.url()),
                    form(auth, "POST /password current_password", "/password", cookies,
                            bad -> "csrf=" + CSRF + "&current_password=" + bad.url() + "&new_password=another+long+password"),
                    form(auth, "POST /password new_password", "/password", cookies,
                            bad -> "csrf=" + CSRF + "&current_password=" + PASSWORD.replace(' ', '+') + "&new_password=" + bad.url()));

            String before = users(db);
            List<String> failures = new ArrayList<>();
            int requests = 0;
            for (Slot slot : slots) {
                for (Bad bad : HostileValues.CORPUS) {
                    if (bad.raw() && slot.form()) {
                        continue; // a JSON escape sequence is plain text in a form
                    }
                    HttpResponse<String> r = auth.send(slot.request().apply(bad));
                    requests++;
                    String type = r.headers().firstValue("Content-Type").orElse("");
                    boolean refused = r.statusCode() >= 400 && r.statusCode() < 500;
                    boolean shaped = slot.form()
                            ? type.startsWith("text/html") && r.body().contains("id=\"error\"")
                            : type.startsWith("application/json") && AuthFixture.json(r).path("error").asText().length() > 0;
                    if (!refused || !shaped) {
                        failures.add(slot.route() + " <- " + bad.name() + ": " + r.statusCode() + " " + abbreviate(r.body()));
                    }
                }
            }
            // the bearer header of GET /auth/me: any byte, so over a raw socket (the JDK client refuses them)
            for (Bad bad : HostileValues.CORPUS) {
                if (bad.raw()) {
                    continue; // a JSON escape sequence is plain text in a header
                }
                requests++;
                try (RawHttp.KeepAlive connection = RawHttp.open(URI.create(auth.base).getPort())) {
                    RawHttp.Answer r = connection.send("GET", "/auth/me", Map.of("Authorization", "Bearer " + bad.latin1()), null, false);
                    if (r.status() < 400 || r.status() >= 500 || !r.body().contains("\"error\"")) {
                        failures.add("GET /auth/me Authorization <- " + bad.name() + ": " + r.status() + " " + abbreviate(r.body()));
                    }
                }
            }
            assertTrue(failures.isEmpty(), failures.size() + " of " + requests + " bad inputs not refused:\n"
                    + String.join("\n", failures));
            long jsonOnly = HostileValues.CORPUS.stream().filter(Bad::raw).count();
            long formSlots = slots.stream().filter(Slot::form).count();
            assertEquals((slots.size() + 1) * HostileValues.CORPUS.size() - (formSlots + 1) * jsonOnly, requests);
            assertEquals(before, users(db), "no account row changed");
            assertEquals(200, auth.login(email, PASSWORD).statusCode(), "the password is unchanged");
        }
    }

    private static Slot json(AuthFixture auth, String route, String path, String token, Function<Bad, byte[]> body) {
        return new Slot(route, false, bad -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(auth.base + path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.apply(bad)));
            return token == null ? b : b.header("Authorization", "Bearer " + token);
        });
    }

    private static Slot form(AuthFixture auth, String route, String path, String cookies, Function<Bad, String> body) {
        return new Slot(route, true, bad -> HttpRequest.newBuilder(URI.create(auth.base + path))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", cookies)
                .POST(HttpRequest.BodyPublishers.ofString(body.apply(bad), StandardCharsets.US_ASCII)));
    }

    /** A digest of every row of {@code auth_server_users}. */
    private static String users(TestDatabase db) throws Exception {
        try (Connection c = db.superuser(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '')"
                     + " FROM auth_server_users t")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
