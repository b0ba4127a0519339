package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A login flood beyond the hashing bulkhead gets 503 with Retry-After instead of queuing without bound. */
@ExtendWith(EmbeddedPostgresExtension.class)
class BulkheadHttpTest {

    @Test
    void loginsBeyondTheBulkheadAre503WithRetryAfter(TestDatabase db) throws Exception {
        try (AuthFixture auth = AuthFixture.start(db, Map.of("HASH_CONCURRENCY", "1", "HASH_QUEUE", "1",
                "LOGIN_LOCK_ACCOUNT_FAILURES", "1000", "LOGIN_LOCK_ADDRESS_FAILURES", "1000"))) {
            auth.login("warm@example.org", "warm up");
            ExecutorService threads = Executors.newFixedThreadPool(8);
            List<Future<HttpResponse<String>>> flood = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String email = "flood" + i + "@example.org";
                flood.add(threads.submit(() -> auth.login(email, "some password")));
            }
            int busy = 0;
            int denied = 0;
            for (Future<HttpResponse<String>> f : flood) {
                HttpResponse<String> res = f.get();
                if (res.statusCode() == 503) {
                    busy++;
                    AuthApiContractTest.assertError(res, 503, "server_busy");
                    assertEquals("1", res.headers().firstValue("Retry-After").orElse(""));
                } else {
                    assertEquals(401, res.statusCode(), res.body());
                    denied++;
                }
            }
            threads.shutdown();
            System.out.printf("bulkhead: %d of 8 concurrent logins hashed, %d refused with 503%n", denied, busy);
            assertTrue(busy >= 1, "some of the flood was refused");
            assertTrue(denied >= 2, "one running and one queued were served");
        }
    }
}
