package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Legacy {@code sha256(salt + password)} rows: they log in, and that login re-hashes them to Argon2id. */
@ExtendWith(EmbeddedPostgresExtension.class)
class LegacyLoginTest {

    private static AuthFixture auth;
    private static TestDatabase db;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        auth = AuthFixture.start(db, Map.of("LOGIN_LOCK_ACCOUNT_FAILURES", "100", "LOGIN_LOCK_ADDRESS_FAILURES", "1000"));
    }

    @AfterAll
    static void stop() {
        auth.close();
    }

    @Test
    void aLegacyLoginSucceedsAndRehashesInTheSameRequest() throws Exception {
        AuthFixture.insertLegacy(db, "legacy-sub-1", "old@example.org", "5a1t", "old password");
        HttpResponse<String> wrong = auth.login("old@example.org", "wrong password");
        assertEquals(401, wrong.statusCode());
        assertEquals("5a1t", row("old@example.org")[1], "a failed login leaves the legacy row alone");

        HttpResponse<String> ok = auth.login("Old@Example.org", "old password");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("legacy-sub-1", AuthFixture.json(ok).get("sub").asText());
        String[] after = row("old@example.org");
        assertTrue(after[0].startsWith("$argon2id$v=19$m=65536,t=3,p=4$"), after[0]);
        assertEquals("argon2", after[1]);

        assertEquals(200, auth.login("old@example.org", "old password").statusCode(), "the Argon2id hash works");
        assertEquals(401, auth.login("old@example.org", "wrong password").statusCode());
        assertEquals(after[0], row("old@example.org")[0], "an Argon2id row is not re-hashed again");
    }

    @Test
    void twoRacingLegacyLoginsBothSucceed() throws Exception {
        AuthFixture.insertLegacy(db, "legacy-sub-2", "race@example.org", "pepper", "racing password");
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<HttpResponse<String>>> logins = threads.invokeAll(List.of(
                    () -> auth.login("race@example.org", "racing password"),
                    () -> auth.login("race@example.org", "racing password"),
                    () -> auth.login("race@example.org", "racing password")));
            for (Future<HttpResponse<String>> login : logins) {
                assertEquals(200, login.get().statusCode(), login.get().body());
            }
        } finally {
            threads.shutdown();
        }
        assertEquals("argon2", row("race@example.org")[1]);
        assertEquals(200, auth.login("race@example.org", "racing password").statusCode());
    }

    private static String[] row(String email) {
        return AuthFixture.hashAndSalt(db, email);
    }
}
