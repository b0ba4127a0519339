package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.Poll;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A signup flood at full speed (distinct emails, signup limits lifted) saturates the signup lane of the
 * hashing bulkhead while a handful of logins run: the logins all succeed, in about their usual time.
 * The flood has more connections than the login lane's slots and queue together, so without the lanes
 * (one queue for both) the logins would find the bulkhead full and get 503.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class SignupFloodTest {

    private static final int FLOOD_CONNECTIONS = 8;

    @Test
    void loginsSucceedInTheirUsualTimeWhileASignupFloodSaturatesItsLane(TestDatabase db) throws Exception {
        // 2 slots (1 for signups), 1 login or 2 signups waiting: 8 flood connections overfill either queue
        try (AuthFixture auth = AuthFixture.start(db, Map.of("HASH_CONCURRENCY", "2", "HASH_QUEUE", "1",
                "HASH_SIGNUP_QUEUE", "2", "LOGIN_LOCK_ACCOUNT_FAILURES", "1000", "LOGIN_LOCK_ADDRESS_FAILURES", "1000"))) {
            for (int i = 0; i < 3; i++) {
                auth.signup("member" + i + "@example.org", "member password " + i);
            }
            long[] baseline = new long[3];
            for (int i = 0; i < baseline.length; i++) {
                baseline[i] = timedLogin(auth, i);
            }
            Arrays.sort(baseline);
            long usual = baseline[1];

            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicInteger created = new AtomicInteger();
            AtomicInteger busy = new AtomicInteger();
            AtomicInteger unexpected = new AtomicInteger();
            ExecutorService threads = Executors.newFixedThreadPool(FLOOD_CONNECTIONS);
            List<Future<?>> flood = new ArrayList<>();
            AtomicInteger next = new AtomicInteger();
            for (int c = 0; c < FLOOD_CONNECTIONS; c++) {
                flood.add(threads.submit(() -> {
                    while (flooding.get()) {
                        HttpResponse<String> res = auth.postJson("/auth/signup", "{\"email\":\"flood"
                                + next.incrementAndGet() + "@example.org\",\"password\":\"flood password\"}");
                        switch (res.statusCode()) {
                            case 201 -> created.incrementAndGet();
                            case 503 -> {
                                busy.incrementAndGet();
                                AuthApiContractTest.assertError(res, 503, "server_busy");
                                assertEquals("1", res.headers().firstValue("Retry-After").orElse(""));
                                Thread.sleep(20); // not a busy loop on the refusals; the lane stays full
                            }
                            default -> unexpected.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            try {
                Poll.until(() -> busy.get() > 0, Duration.ofSeconds(60)); // the signup lane is saturated: its queue overflows
                long[] during = new long[5];
                int busyBefore = busy.get();
                for (int i = 0; i < during.length; i++) {
                    during[i] = timedLogin(auth, i % 3); // asserts 200
                }
                int refusedMeanwhile = busy.get() - busyBefore;
                System.out.printf("signup flood: logins without %s ms, during %s ms; flood %d created, %d refused"
                        + " (%d while the logins ran)%n", Arrays.toString(millis(baseline)),
                        Arrays.toString(millis(during)), created.get(), busy.get(), refusedMeanwhile);
                assertTrue(refusedMeanwhile > 0, "the signup lane stayed saturated while the logins ran");
                for (long took : during) {
                    // generous: a flood that starved logins would queue them behind the signups or refuse them
                    assertTrue(took < 10 * usual + TimeUnit.SECONDS.toNanos(5),
                            "a login took " + took / 1_000_000 + " ms during the flood, " + usual / 1_000_000 + " ms without");
                }
            } finally {
                flooding.set(false);
                for (Future<?> f : flood) {
                    f.get(120, TimeUnit.SECONDS); // rethrows a failed assertion on a flood answer
                }
                threads.shutdown();
            }
            assertEquals(0, unexpected.get(), "the flood got only 201 or 503");
            assertTrue(created.get() > 0, "the flood's signups were served too");
        }
    }

    private static long timedLogin(AuthFixture auth, int member) {
        long t0 = System.nanoTime();
        HttpResponse<String> res = auth.login("member" + member + "@example.org", "member password " + member);
        long took = System.nanoTime() - t0;
        assertEquals(200, res.statusCode(), res.body());
        return took;
    }

    private static long[] millis(long[] nanos) {
        return Arrays.stream(nanos).map(n -> n / 1_000_000).toArray();
    }
}
