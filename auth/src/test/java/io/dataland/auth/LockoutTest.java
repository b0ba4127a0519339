package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;

import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Per-account lockout over HTTP: 429 with Retry-After, held across a restart, reset by a success. */
@ExtendWith(EmbeddedPostgresExtension.class)
class LockoutTest {

    private static final Map<String, String> ENV = Map.of("LOGIN_LOCK_ACCOUNT_FAILURES", "3",
            "LOGIN_LOCK_ADDRESS_FAILURES", "1000", "LOGIN_LOCK_SECONDS", "120");

    @Test
    void repeatedFailuresLockTheAccountAcrossARestart(TestDatabase db) throws Exception {
        java.nio.file.Path dataDir = java.nio.file.Files.createTempDirectory("auth-data");
        try (AuthFixture auth = AuthFixture.start(db, dataDir, ENV)) {
            auth.signup("target@example.org", "the right password");
            for (int i = 0; i < 3; i++) {
                assertEquals(401, auth.login("target@example.org", "guess " + i).statusCode());
            }
            assertLocked(auth.login("target@example.org", "the right password"));
            assertLocked(auth.login("TARGET@example.org ", "guess 4"));
        }
        try (AuthFixture restarted = AuthFixture.start(db, dataDir, ENV)) {
            assertLocked(restarted.login("target@example.org", "the right password"));
            assertEquals(401, restarted.login("other@example.org", "x").statusCode(), "another account is not locked");
        }
    }

    @Test
    void aSuccessResetsTheAccountsCounter(TestDatabase db) {
        try (AuthFixture auth = AuthFixture.start(db, ENV)) {
            auth.signup("forgetful@example.org", "the right password");
            assertEquals(401, auth.login("forgetful@example.org", "guess 1").statusCode());
            assertEquals(401, auth.login("forgetful@example.org", "guess 2").statusCode());
            assertEquals(200, auth.login("forgetful@example.org", "the right password").statusCode());
            assertEquals(401, auth.login("forgetful@example.org", "guess 3").statusCode());
            assertEquals(401, auth.login("forgetful@example.org", "guess 4").statusCode());
            assertEquals(200, auth.login("forgetful@example.org", "the right password").statusCode());
        }
    }

    private static void assertLocked(HttpResponse<String> res) {
        AuthApiContractTest.assertError(res, 429, "too_many_attempts");
        long retryAfter = Long.parseLong(res.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 120, "Retry-After " + retryAfter);
    }
}
