package io.dataland.agent.chat;

import static io.dataland.agent.testing.AgentHarness.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.agent.testing.FakeOpenAi;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.ApiClient.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Abuse limits on chat turns over real HTTP: the per-user bucket (429 with Retry-After), the per-user
 * and global concurrency caps (503 with Retry-After, slots given back when a turn ends), and the
 * request metrics' method tag from a fixed set.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class TurnLimitsTest {

    private static String general(String message) {
        return "{\"message\":" + quote(message) + "}";
    }

    @Test
    void aUserOverTheBucketGets429WithRetryAfterAndOthersAreUnaffected(TestDatabase db) {
        try (AgentHarness agent = AgentHarness.start(db, Map.of("CHAT_TURN_BURST", "2", "CHAT_TURNS_PER_HOUR", "1"))) {
            String eager = agent.token("eager-" + UUID.randomUUID());
            assertEquals(200, agent.post("/v1/chat", eager, general("one")).status());
            assertEquals(200, agent.post("/v1/chat", eager, general("two")).status());
            Response third = agent.post("/v1/chat", eager, general("three"));
            assertEquals(429, third.status(), third.body());
            assertEquals("too_many_turns", third.error());
            long retryAfter = Long.parseLong(third.header("Retry-After"));
            assertTrue(retryAfter > 3000 && retryAfter <= 3600, "one turn an hour: " + retryAfter);
            assertEquals(0, agent.count("SELECT count(*) FROM messages WHERE text = 'three'"),
                    "a refused turn writes nothing");
            assertEquals(200, agent.post("/v1/chat", agent.token("calm-" + UUID.randomUUID()), general("hi")).status());
        }
    }

    @Test
    void concurrentTurnsPerUserAndModelCallsOverallAreCapped(TestDatabase db) throws Exception {
        try (FakeOpenAi fake = FakeOpenAi.start();
             AgentHarness agent = AgentHarness.start(db, Map.of("MODEL_PROVIDER", "openai",
                     "MODEL_BASE_URL", fake.baseUrl().toString(), "MODEL_API_KEY", "k",
                     "MODEL_IDLE_TIMEOUT_SECONDS", "8", "CHAT_MAX_TURNS_PER_USER", "1", "CHAT_MAX_MODEL_CALLS", "2"))) {
            fake.mode(FakeOpenAi.Mode.STALL);
            String alice = agent.token("alice-" + UUID.randomUUID());
            String bob = agent.token("bob-" + UUID.randomUUID());
            CompletableFuture<Response> aliceFirst = CompletableFuture.supplyAsync(
                    () -> agent.post("/v1/chat", alice, general("stalls")));
            awaitModelCalls(fake, 1);
            Response aliceSecond = agent.post("/v1/chat", alice, general("again"));
            assertEquals(503, aliceSecond.status(), aliceSecond.body());
            assertEquals("server_busy", aliceSecond.error());
            assertTrue(aliceSecond.body().contains("your turns"), aliceSecond.body());
            assertTrue(Long.parseLong(aliceSecond.header("Retry-After")) >= 1);

            CompletableFuture<Response> bobFirst = CompletableFuture.supplyAsync(
                    () -> agent.post("/v1/chat", bob, general("stalls too")));
            awaitModelCalls(fake, 2);
            Response carol = agent.post("/v1/chat", agent.token("carol-" + UUID.randomUUID()), general("hello"));
            assertEquals(503, carol.status(), carol.body());
            assertTrue(carol.body().contains("assistant is busy"), carol.body());
            assertEquals(2, fake.bodies().size(), "refused turns never reach the model");

            // the stalled calls end (idle timeout: 502) and give their slots back
            assertEquals(502, aliceFirst.get().status());
            assertEquals(502, bobFirst.get().status());
            fake.mode(FakeOpenAi.Mode.STREAM);
            assertEquals(200, agent.post("/v1/chat", alice, general("now it works")).status());
        }
    }

    @Test
    void requestMetricsTagUnknownMethodsAsOther(TestDatabase db) {
        try (AgentHarness agent = AgentHarness.start(db, Map.of())) {
            for (String method : new String[] {"FROBNICATE", "XYZZY"}) {
                agent.send(agent.request("/v1/me", null).method(method, HttpRequest.BodyPublishers.noBody()).build());
            }
            String metrics = agent.get("/observe/metrics", null).body();
            assertFalse(metrics.contains("FROBNICATE") || metrics.contains("XYZZY"), "arbitrary methods grow no timers");
            assertTrue(metrics.contains("method=\"other\""), "they are counted as other");
        }
    }

    /** Waits until the fake model has received {@code n} requests (the turns are then in the model call). */
    private static void awaitModelCalls(FakeOpenAi fake, int n) throws InterruptedException {
        for (int i = 0; i < 600 && fake.bodies().size() < n; i++) {
            Thread.sleep(50);
        }
        assertEquals(n, fake.bodies().size(), "model calls in flight");
    }
}
