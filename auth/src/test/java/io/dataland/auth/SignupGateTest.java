package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;

import io.dataland.auth.account.SignupGate;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Signup modes and limits over real HTTP: per-address and global counts, 409 only after the limit, the modes' defaults. */
@ExtendWith(EmbeddedPostgresExtension.class)
class SignupGateTest {

    private static HttpResponse<String> signup(AuthFixture auth, String email, String... headers) {
        return auth.postJson("/auth/signup", "{\"email\":" + AuthFixture.quote(email)
                + ",\"password\":\"a signup password\"}", headers);
    }

    @Test
    void signupsPerAddressAreLimitedAndEmailTakenComesOnlyAfterTheLimit(TestDatabase db) {
        try (AuthFixture auth = AuthFixture.start(db, Map.of("SIGNUP_LIMIT_PER_ADDRESS", "3",
                "SIGNUP_LIMIT_GLOBAL", "1000", "TRUSTED_PROXIES", "127.0.0.1"))) {
            String client = "X-Forwarded-For";
            assertEquals(201, signup(auth, "first@example.org", client, "198.51.100.1").statusCode());
            AuthApiContractTest.assertError(signup(auth, "first@example.org", client, "198.51.100.1"), 409, "email_taken");
            assertEquals(201, signup(auth, "second@example.org", client, "198.51.100.1").statusCode());
            HttpResponse<String> limited = signup(auth, "first@example.org", client, "198.51.100.1");
            AuthApiContractTest.assertError(limited, 429, "too_many_signups");
            long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= 900, "Retry-After " + retryAfter);
            assertEquals(201, signup(auth, "third@example.org", client, "198.51.100.2").statusCode(), "another address");
        }
    }

    @Test
    void signupsOverallAreLimited(TestDatabase db) {
        try (AuthFixture auth = AuthFixture.start(db, Map.of("SIGNUP_LIMIT_PER_ADDRESS", "1000",
                "SIGNUP_LIMIT_GLOBAL", "2", "TRUSTED_PROXIES", "127.0.0.1"))) {
            assertEquals(201, signup(auth, "g1@example.org", "X-Forwarded-For", "203.0.113.1").statusCode());
            assertEquals(201, signup(auth, "g2@example.org", "X-Forwarded-For", "203.0.113.2").statusCode());
            AuthApiContractTest.assertError(signup(auth, "g3@example.org", "X-Forwarded-For", "203.0.113.3"),
                    429, "too_many_signups");
        }
    }

    @Test
    void addUserCreatesAnAccountWhileSignupIsClosed(TestDatabase db) throws Exception {
        java.nio.file.Path dataDir = java.nio.file.Files.createTempDirectory("auth-data");
        var settings = AuthFixture.settings(db, dataDir, Map.of("SIGNUP_MODE", "closed"));
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int status = AddUserCommand.run(new String[] {"Ops@Example.org"}, settings,
                new java.io.ByteArrayInputStream("an operator password\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
        assertEquals(0, status, err.toString());
        assertTrue(!out.toString().contains("an operator password") && !err.toString().contains("an operator password"));
        assertEquals(1, AddUserCommand.run(new String[] {"ops@example.org"}, settings,
                new java.io.ByteArrayInputStream("an operator password\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                new java.io.PrintStream(out, true), new java.io.PrintStream(err, true)), "the email is taken");
        try (AuthFixture auth = AuthFixture.start(db, dataDir, Map.of("SIGNUP_MODE", "closed"))) {
            AuthApiContractTest.assertError(signup(auth, "ops2@example.org"), 403, "signup_closed");
            assertEquals(200, auth.login("ops@example.org", "an operator password").statusCode());
        }
    }

    @Test
    void theModes(TestDatabase db) {
        try (AuthFixture auth = AuthFixture.start(db, Map.of("SIGNUP_MODE", "closed"))) {
            AuthApiContractTest.assertError(signup(auth, "closed@example.org"), 403, "signup_closed");
        }
        try (AuthFixture auth = AuthFixture.start(db, Map.of("SIGNUP_MODE", "domains",
                "SIGNUP_ALLOWED_DOMAINS", "dataland.example, @museum.example"))) {
            assertEquals(201, signup(auth, "Staff@Museum.Example").statusCode());
            AuthApiContractTest.assertError(signup(auth, "outsider@example.org"), 403, "signup_domain_not_allowed");
            AuthApiContractTest.assertError(signup(auth, "x@evil.dataland.example"), 403, "signup_domain_not_allowed");
        }
        // the defaults: open in development; closed in production unless domains are set
        var dev = AuthFixture.settings(db, java.nio.file.Path.of("."), Map.of());
        assertEquals(SignupGate.Mode.OPEN, SignupGate.from(dev, null).mode());
        var prod = AuthFixture.settings(db, java.nio.file.Path.of("."), Map.of("APP_ENV", "production"));
        assertEquals(SignupGate.Mode.CLOSED, SignupGate.from(prod, null).mode());
        var prodDomains = AuthFixture.settings(db, java.nio.file.Path.of("."), Map.of("APP_ENV", "production",
                "SIGNUP_ALLOWED_DOMAINS", "dataland.example"));
        assertEquals(SignupGate.Mode.DOMAINS, SignupGate.from(prodDomains, null).mode());
    }
}
