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

    /**
     * 20 wrong passwords for one account at once (the measured attack): at most the limit are judged
     * (401), the rest refused with 429 and Retry-After. Before the attempt was counted ahead of the hash,
     * all 20 were judged.
     */
    @Test
    void parallelGuessesForOneAccountAreJudgedAtMostTheLimit(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("LOGIN_LOCK_ACCOUNT_FAILURES", "5", "LOGIN_LOCK_ADDRESS_FAILURES", "1000",
                "LOGIN_LOCK_SECONDS", "120", "HASH_CONCURRENCY", "4", "HASH_QUEUE", "64", "HASH_WAIT_MILLIS", "120000");
        try (AuthFixture auth = AuthFixture.start(db, env)) {
            auth.signup("parallel@example.org", "the right password");
            Map<Integer, Integer> counts = parallel(20, i -> auth.login("parallel@example.org", "guess " + i));
            assertEquals(5, counts.getOrDefault(401, 0), "judged: " + counts);
            assertEquals(15, counts.getOrDefault(429, 0), "refused: " + counts);
        }
    }

    /** The same for the per-address limit: 20 different accounts from one address at once. */
    @Test
    void parallelGuessesFromOneAddressAreJudgedAtMostTheLimit(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("LOGIN_LOCK_ACCOUNT_FAILURES", "1000", "LOGIN_LOCK_ADDRESS_FAILURES", "5",
                "LOGIN_LOCK_SECONDS", "120", "HASH_CONCURRENCY", "4", "HASH_QUEUE", "64", "HASH_WAIT_MILLIS", "120000");
        try (AuthFixture auth = AuthFixture.start(db, env)) {
            forgetLoopback(db);
            Map<Integer, Integer> counts = parallel(20, i -> auth.login("sprayed" + i + "@example.org", "guess " + i));
            assertEquals(5, counts.getOrDefault(401, 0), "judged: " + counts);
            assertEquals(15, counts.getOrDefault(429, 0), "refused: " + counts);
        }
    }

    /**
     * Behind a trusted proxy the address limit counts the forwarded client, not the proxy: one client's
     * failures lock that client while another behind the same proxy still gets judged, and a client
     * cannot escape by writing its own X-Forwarded-For hops.
     */
    @Test
    void behindATrustedProxyTheForwardedClientIsCounted(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("LOGIN_LOCK_ACCOUNT_FAILURES", "1000", "LOGIN_LOCK_ADDRESS_FAILURES", "2",
                "LOGIN_LOCK_SECONDS", "120", "TRUSTED_PROXIES", "127.0.0.1/32");
        try (AuthFixture auth = AuthFixture.start(db, env)) {
            String body = "{\"email\":\"a%d@example.org\",\"password\":\"a wrong guess\"}";
            assertEquals(401, auth.postJson("/auth/login", body.formatted(1), "X-Forwarded-For", "198.51.100.7").statusCode());
            assertEquals(401, auth.postJson("/auth/login", body.formatted(2), "X-Forwarded-For", "6.6.6.6, 198.51.100.7").statusCode());
            assertLocked(auth.postJson("/auth/login", body.formatted(3), "X-Forwarded-For", "7.7.7.7, 198.51.100.7"));
            assertEquals(401, auth.postJson("/auth/login", body.formatted(4), "X-Forwarded-For", "198.51.100.8").statusCode(),
                    "another client behind the same proxy");
        }
        // without TRUSTED_PROXIES the header is ignored: every request is the peer 127.0.0.1 (counted afresh
        // here, since other tests in this class share the database and the loopback peer)
        try (AuthFixture auth = AuthFixture.start(db, Map.of("LOGIN_LOCK_ACCOUNT_FAILURES", "1000",
                "LOGIN_LOCK_ADDRESS_FAILURES", "2", "LOGIN_LOCK_SECONDS", "120"))) {
            forgetLoopback(db);
            String body = "{\"email\":\"b%d@example.org\",\"password\":\"a wrong guess\"}";
            assertEquals(401, auth.postJson("/auth/login", body.formatted(1), "X-Forwarded-For", "1.1.1.1").statusCode());
            assertEquals(401, auth.postJson("/auth/login", body.formatted(2), "X-Forwarded-For", "2.2.2.2").statusCode());
            assertLocked(auth.postJson("/auth/login", body.formatted(3), "X-Forwarded-For", "3.3.3.3"));
        }
    }

    /** Deletes the loopback peer's address counter (after a server created the table): the tests of this class share one database. */
    private static void forgetLoopback(TestDatabase db) throws Exception {
        try (var pool = db.newDataSource(1); var c = pool.getConnection(); var st = c.createStatement()) {
            st.executeUpdate("DELETE FROM auth_login_throttle WHERE scope = 'address' AND key = '127.0.0.1'");
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }

    /** Runs {@code n} requests at once (released together); answers status -> count; 429s carry Retry-After. */
    private static Map<Integer, Integer> parallel(int n, java.util.function.IntFunction<HttpResponse<String>> request)
            throws Exception {
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.Future<HttpResponse<String>>> futures = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return request.apply(index);
                }));
            }
            start.countDown();
            Map<Integer, Integer> counts = new java.util.TreeMap<>();
            for (var future : futures) {
                HttpResponse<String> res = future.get();
                counts.merge(res.statusCode(), 1, Integer::sum);
                if (res.statusCode() == 429) {
                    assertLocked(res);
                }
            }
            return counts;
        }
    }

    private static void assertLocked(HttpResponse<String> res) {
        AuthApiContractTest.assertError(res, 429, "too_many_attempts");
        long retryAfter = Long.parseLong(res.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 120, "Retry-After " + retryAfter);
    }
}
