package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Map;

import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An unknown email costs what a wrong password costs: same status and body, and the median times of
 * many interleaved attempts within 20 percent of each other (a measured ratio, printed).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class TimingEqualityTest {

    private static final int ATTEMPTS = 25;

    private static AuthFixture auth;

    @BeforeAll
    static void start(TestDatabase db) {
        auth = AuthFixture.start(db, Map.of("LOGIN_LOCK_ACCOUNT_FAILURES", "100000",
                "LOGIN_LOCK_ADDRESS_FAILURES", "100000"));
    }

    @AfterAll
    static void stop() {
        auth.close();
    }

    @Test
    void unknownEmailAndWrongPasswordTakeTheSameTime() {
        auth.signup("known@example.org", "the real password");
        auth.login("known@example.org", "warm up the path"); // first-call costs out of the measurement
        auth.login("warm@example.org", "warm up the path");
        long[] wrong = new long[ATTEMPTS];
        long[] unknown = new long[ATTEMPTS];
        String expectedBody = null;
        for (int i = 0; i < ATTEMPTS; i++) {
            // interleaved, alternating which goes first, so drift hits both sides alike
            boolean wrongFirst = i % 2 == 0;
            long[] first = wrongFirst ? wrong : unknown;
            long[] second = wrongFirst ? unknown : wrong;
            String firstEmail = wrongFirst ? "known@example.org" : "unknown" + i + "@example.org";
            String secondEmail = wrongFirst ? "unknown" + i + "@example.org" : "known@example.org";
            expectedBody = timed(first, i, firstEmail, expectedBody);
            expectedBody = timed(second, i, secondEmail, expectedBody);
        }
        double wrongMedian = median(wrong) / 1e6;
        double unknownMedian = median(unknown) / 1e6;
        double ratio = unknownMedian / wrongMedian;
        System.out.printf("timing: wrong password median %.1f ms, unknown email median %.1f ms, ratio %.3f (%d each)%n",
                wrongMedian, unknownMedian, ratio, ATTEMPTS);
        assertTrue(ratio > 0.8 && ratio < 1.25, "unknown/wrong median ratio " + ratio);
    }

    private static String timed(long[] into, int i, String email, String expectedBody) {
        long start = System.nanoTime();
        HttpResponse<String> res = auth.login(email, "not the password");
        into[i] = System.nanoTime() - start;
        assertEquals(401, res.statusCode(), res.body());
        if (expectedBody != null) {
            assertEquals(expectedBody, res.body(), "the same body either way");
        }
        return res.body();
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
    }
}
