package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;

import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Auth's statements go through the shared statement interceptor, so they are timed like the agent's. */
@ExtendWith(EmbeddedPostgresExtension.class)
class AuthStatementMetricsTest {

    @Test
    void loginStatementsAreTimedByStatementId(TestDatabase db) {
        try (AuthFixture auth = AuthFixture.start(db, Map.of())) {
            HttpResponse<String> wrong = auth.login("nobody-" + System.nanoTime() + "@example.org", "not the password");
            assertEquals(401, wrong.statusCode(), wrong.body());
            String metrics = auth.get("/observe/metrics").body();
            assertTrue(metrics.contains("dataland_db_statement"), "statement timer missing from /observe/metrics");
            assertTrue(metrics.contains("io.dataland.auth.account.AccountMapper.findByEmail"), "statement tag");
            assertTrue(metrics.contains("io.dataland.auth.throttle.ThrottleMapper.attempt"), "statement tag");
        }
    }
}
