package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyFactory;
import java.security.spec.RSAPublicKeySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.RawHttp;
import io.dataland.testkit.TestDatabase;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.ProtectedHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every JSON route of docs/api.md's auth section and its errors, against a real server and database. */
@ExtendWith(EmbeddedPostgresExtension.class)
class AuthApiContractTest {

    private static AuthFixture auth;
    private static TestDatabase database;

    @BeforeAll
    static void start(TestDatabase db) {
        database = db;
        auth = AuthFixture.start(db, Map.of("JWT_ISSUER", "https://auth.test", "JWT_TTL_SECONDS", "600"));
    }

    @AfterAll
    static void stop() {
        auth.close();
    }

    @Test
    void signupAnswers201WithAVerifiableToken() throws Exception {
        HttpResponse<String> res = auth.postJson("/auth/signup",
                "{\"email\":\"  Alice@Example.ORG \",\"password\":\"correct horse battery\",\"full_name\":\"Alice A\","
                        + "\"location\":\"Berlin\",\"profile_photo_url\":null,\"unknown\":42}");
        assertEquals(201, res.statusCode(), res.body());
        JsonNode body = AuthFixture.json(res);
        assertEquals("alice@example.org", body.get("email").asText());
        assertEquals("Bearer", body.get("token_type").asText());
        assertEquals(600, body.get("expires_in").asInt());
        String sub = body.get("sub").asText();
        assertEquals(36, sub.length());

        Jws<Claims> jws = parseWithJwks(body.get("access_token").asText());
        assertEquals(sub, jws.getPayload().getSubject());
        assertEquals("alice@example.org", jws.getPayload().get("email", String.class));
        assertEquals("https://auth.test", jws.getPayload().getIssuer());
        assertEquals("RS256", jws.getHeader().getAlgorithm());
        assertTrue(jws.getHeader().getKeyId().startsWith("auth-rs256-"));
        long ttl = jws.getPayload().getExpiration().toInstant().getEpochSecond()
                - jws.getPayload().getIssuedAt().toInstant().getEpochSecond();
        assertEquals(600, ttl);

        try (Connection c = database.server().superuser(database.name()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT hash, salt, full_name, location FROM auth_server_users"
                     + " WHERE email = 'alice@example.org'")) {
            assertTrue(rs.next());
            assertTrue(rs.getString("hash").startsWith("$argon2id$v=19$m=65536,t=3,p=4$"), rs.getString("hash"));
            assertEquals("argon2", rs.getString("salt"));
            assertEquals("Alice A", rs.getString("full_name"));
            assertEquals("Berlin", rs.getString("location"));
        }
    }

    @Test
    void signupOfATakenEmailIs409AndChangesNothing() {
        auth.signup("bob@example.org", "password-bob-1");
        HttpResponse<String> res = auth.postJson("/auth/signup",
                "{\"email\":\"BOB@example.org\",\"password\":\"another password\"}");
        assertError(res, 409, "email_taken");
        assertEquals(200, auth.login("bob@example.org", "password-bob-1").statusCode());
    }

    @Test
    void signupRefusesBadInputWith400() throws Exception {
        assertError(auth.postJson("/auth/signup", "{\"email\":\"c@example.org\",\"password\":\"short\"}"), 400, "weak_password");
        assertError(auth.postJson("/auth/signup", "{\"email\":\"c@example.org\",\"password\":\"" + "x".repeat(1025) + "\"}"),
                400, "weak_password");
        assertError(auth.postJson("/auth/signup", "{\"email\":\"not-an-email\",\"password\":\"long enough pw\"}"),
                400, "invalid_email");
        assertError(auth.postJson("/auth/signup", "{\"email\":\"c@example.org\"}"), 400, "missing_field");
        assertError(auth.postJson("/auth/signup", "{\"email\":\"c@example.org\",\"password\":12345678}"), 400, "wrong_type");
        assertError(auth.postJson("/auth/signup", "{\"email\":\"c@example.org\",\"password\":\"long enough pw\",\"full_name\":7}"),
                400, "wrong_type");
        assertError(auth.postJson("/auth/signup", "{\"email\":\"c@example.org\",\"password\":\"long enough pw\"} []"),
                400, "malformed_json");
        assertError(auth.postJson("/auth/signup", "[1,2]"), 400, "malformed_json");
        assertError(auth.postJson("/auth/signup", "{\"email\":"), 400, "malformed_json");
        assertError(auth.postJson("/auth/signup", "{\"email\":\"c@example.org\",\"password\":\"long enough\\u0000pw\"}"),
                400, "invalid_text");
        assertError(auth.postJson("/auth/signup", "{\"email\":\"c@example.org\",\"password\":\"long enough \\ud800 pw\"}"),
                400, "invalid_text");
        assertError(auth.send(HttpRequest.newBuilder(URI.create(auth.base + "/auth/signup"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))), 415, "unsupported_media_type");
        // the 64 KiB limit is enforced by the server before routing (ServiceBoot): status only here. A raw
        // socket client, because the server answers and closes before taking the whole body (RawHttp)
        byte[] big = ("{\"email\":\"c@example.org\",\"password\":\"" + "x".repeat(70_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        for (boolean chunked : new boolean[] {false, true}) {
            RawHttp.Answer answer = RawHttp.post(URI.create(auth.base).getPort(), "/auth/signup",
                    Map.of("Content-Type", "application/json"), big, chunked);
            assertEquals(413, answer.status(), (chunked ? "chunked: " : "Content-Length: ") + answer.body());
        }
        assertEquals(401, auth.login("c@example.org", "long enough pw").statusCode(), "nothing was created");
    }

    @Test
    void jsonBodiesAreReadAsStrictlyAsTheAgentReadsThem() {
        String ok = "{\"email\":\"d@example.org\",\"password\":\"long enough pw\"}";
        // duplicate keys: which value would win is a parser's choice, so the body is refused
        assertError(auth.postJson("/auth/signup", "{\"email\":\"d@example.org\",\"email\":\"e@example.org\","
                + "\"password\":\"long enough pw\"}"), 400, "malformed_json");
        assertError(auth.postJson("/auth/login", "{\"email\":\"d@example.org\",\"password\":\"a\",\"password\":\"b\"}"),
                400, "malformed_json");
        // a required string sent as null is the wrong type, as in the agent
        assertError(auth.postJson("/auth/signup", "{\"email\":null,\"password\":\"long enough pw\"}"), 400, "wrong_type");
        // no Content-Type at all is 415, not a guess
        assertError(auth.send(HttpRequest.newBuilder(URI.create(auth.base + "/auth/signup"))
                .POST(HttpRequest.BodyPublishers.ofString(ok))), 415, "unsupported_media_type");
        // a chunked body (no Content-Length, so the server's limit cannot see it) is counted while read
        String big = "{\"email\":\"d@example.org\",\"password\":\"long enough pw\",\"pad\":\""
                + "x".repeat(65_537) + "\"}";
        assertError(auth.send(HttpRequest.newBuilder(URI.create(auth.base + "/auth/signup"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        big.getBytes(java.nio.charset.StandardCharsets.UTF_8))))), 413, "payload_too_large");
        assertEquals(401, auth.login("d@example.org", "long enough pw").statusCode(), "nothing was created");
        assertEquals(201, auth.postJson("/auth/signup", ok).statusCode());
    }

    @Test
    void aLongPassphraseIsWelcome() {
        String passphrase = "ünïcödé passphrase ".repeat(40); // 760 characters, under 1024 bytes
        auth.signup("dora@example.org", passphrase);
        assertEquals(200, auth.login("dora@example.org", passphrase).statusCode());
    }

    @Test
    void loginAnswersTheSameForAnUnknownEmailAndAWrongPassword() {
        String sub = auth.signup("erin@example.org", "erins password").get("sub").asText();
        HttpResponse<String> ok = auth.login(" ERIN@example.org", "erins password");
        assertEquals(200, ok.statusCode(), ok.body());
        JsonNode body = AuthFixture.json(ok);
        assertEquals(sub, body.get("sub").asText());
        assertEquals("Bearer", body.get("token_type").asText());
        assertEquals(600, body.get("expires_in").asInt());
        assertTrue(body.hasNonNull("access_token"));

        HttpResponse<String> wrong = auth.login("erin@example.org", "not her password");
        HttpResponse<String> unknown = auth.login("nobody@example.org", "not her password");
        assertError(wrong, 401, "invalid_credentials");
        assertEquals(wrong.statusCode(), unknown.statusCode());
        assertEquals(wrong.body(), unknown.body());
        assertEquals(wrong.headers().firstValue("WWW-Authenticate"), unknown.headers().firstValue("WWW-Authenticate"));
    }

    @Test
    void loginRefusesBadInputWith400() {
        assertError(auth.postJson("/auth/login", "{\"email\":\"x@example.org\"}"), 400, "missing_field");
        assertError(auth.postJson("/auth/login", "{\"email\":true,\"password\":\"x\"}"), 400, "wrong_type");
        assertError(auth.postJson("/auth/login", "{\"email\":\"x@example.org\",\"password\":\"" + "y".repeat(1025) + "\"}"),
                400, "invalid_password");
        assertError(auth.postJson("/auth/login", "nope"), 400, "malformed_json");
    }

    @Test
    void meAnswersTheAccountWithoutHashOrSalt() {
        String token = auth.signup("fay@example.org", "fays password").get("access_token").asText();
        HttpResponse<String> me = auth.get("/auth/me", "Authorization", "Bearer " + token);
        assertEquals(200, me.statusCode(), me.body());
        JsonNode body = AuthFixture.json(me);
        assertEquals("fay@example.org", body.get("email").asText());
        for (String key : new String[] {"id", "sub", "email", "full_name", "location", "profile_photo_url",
                "stripe_customer_id", "created_at"}) {
            assertTrue(body.has(key), key + " in " + body);
        }
        assertTrue(body.get("full_name").isNull());
        assertTrue(body.get("created_at").asText().endsWith("Z"), body.get("created_at").asText());
        assertFalse(body.has("hash"));
        assertFalse(body.has("salt"));
        assertFalse(me.body().contains("argon2"));
    }

    @Test
    void meShowsProfileValuesWithoutAValueAsNullWhileTheRowKeepsTheOriginalsEmptyLocation() throws Exception {
        for (String profile : new String[] {"", ",\"location\":null", ",\"location\":\"\",\"full_name\":\"\","
                + "\"profile_photo_url\":\"\""}) {
            String email = "nowhere" + profile.length() + "@example.org";
            HttpResponse<String> signup = auth.postJson("/auth/signup", "{\"email\":\"" + email
                    + "\",\"password\":\"a password of hers\"" + profile + "}");
            assertEquals(201, signup.statusCode(), signup.body());
            JsonNode me = AuthFixture.json(auth.get("/auth/me", "Authorization", "Bearer "
                    + AuthFixture.json(signup).get("access_token").asText()));
            for (String key : new String[] {"full_name", "location", "profile_photo_url"}) {
                assertTrue(me.has(key) && me.get(key).isNull(), key + " of " + profile + ": " + me);
            }
            try (Connection c = database.server().superuser(database.name());
                 PreparedStatement s = c.prepareStatement("SELECT location FROM auth_server_users WHERE email = ?")) {
                s.setString(1, email);
                try (ResultSet rs = s.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("", rs.getString(1), "NOT NULL DEFAULT '', as the original stack reads it");
                }
            }
        }
        String token = AuthFixture.json(auth.postJson("/auth/signup", "{\"email\":\"somewhere@example.org\","
                + "\"password\":\"a password of hers\",\"location\":\"Oslo\"}")).get("access_token").asText();
        assertEquals("Oslo", AuthFixture.json(auth.get("/auth/me", "Authorization", "Bearer " + token))
                .get("location").asText());
    }

    @Test
    void meRefusesMissingAndBadTokensWith401() {
        String token = auth.signup("gus@example.org", "guss password").get("access_token").asText();
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        for (String[] headers : new String[][] {{}, {"Authorization", "Bearer"}, {"Authorization", "Basic abc"},
                {"Authorization", "Bearer not.a.jwt"}, {"Authorization", "Bearer " + tampered}}) {
            HttpResponse<String> res = auth.get("/auth/me", headers);
            assertError(res, 401, "unauthorized");
            assertEquals("Bearer", res.headers().firstValue("WWW-Authenticate").orElse(""));
        }
    }

    @Test
    void jwksServesThePublicSigningKey() {
        HttpResponse<String> res = auth.get("/.well-known/jwks.json");
        assertEquals(200, res.statusCode());
        assertTrue(res.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode keys = AuthFixture.json(res).get("keys");
        assertEquals(1, keys.size());
        JsonNode key = keys.get(0);
        assertEquals("RSA", key.get("kty").asText());
        assertEquals("RS256", key.get("alg").asText());
        assertEquals("sig", key.get("use").asText());
        assertTrue(key.hasNonNull("n") && key.hasNonNull("e") && key.hasNonNull("kid"));
        for (String secret : new String[] {"d", "p", "q", "dp", "dq", "qi"}) {
            assertFalse(key.has(secret), secret);
        }
    }

    @Test
    void unknownRoutesAnswerJson404() {
        assertError(auth.get("/auth/nothing"), 404, "not_found");
    }

    static void assertError(HttpResponse<String> res, int status, String code) {
        assertEquals(status, res.statusCode(), res.body());
        JsonNode body = AuthFixture.json(res);
        assertEquals(code, body.get("error").asText(), res.body());
        assertTrue(body.hasNonNull("message"));
        assertNotEquals("", body.get("message").asText());
    }

    /** Verifies {@code token} with keys fetched from the JWKS, as the agent does. */
    static Jws<Claims> parseWithJwks(String token) throws Exception {
        JsonNode keys = AuthFixture.json(auth.get("/.well-known/jwks.json")).get("keys");
        Map<String, Key> byKid = new HashMap<>();
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        for (JsonNode key : keys) {
            BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode(key.get("n").asText()));
            BigInteger e = new BigInteger(1, Base64.getUrlDecoder().decode(key.get("e").asText()));
            byKid.put(key.get("kid").asText(), rsa.generatePublic(new RSAPublicKeySpec(n, e)));
        }
        return Jwts.parser().keyLocator(new LocatorAdapter<Key>() {
            @Override
            protected Key locate(ProtectedHeader header) {
                return byKid.get(header.getKeyId());
            }
        }).build().parseSignedClaims(token);
    }
}
