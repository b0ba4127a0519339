package io.dataland.agent.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.dataland.agent.testing.FakeOpenAi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The offline provider's determinism and the OpenAI provider against a real local streaming server. */
class ModelProvidersTest {

    private static FakeOpenAi fake;
    /** Generous timeouts: these tests must not depend on how fast a loaded machine answers. */
    private static OpenAiModel openai;
    /** A short idle timeout, for the one test of the idle timeout (the total timeout stays far above it). */
    private static OpenAiModel impatient;

    @BeforeAll
    static void start() {
        fake = FakeOpenAi.start();
        openai = new OpenAiModel(new OpenAiModel.Settings(fake.baseUrl(), "test-key", "gemini-3.5-flash",
                Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(60), 256, 60));
        impatient = new OpenAiModel(new OpenAiModel.Settings(fake.baseUrl(), "test-key", "gemini-3.5-flash",
                Duration.ofSeconds(10), Duration.ofMillis(700), Duration.ofSeconds(60), 256, 60));
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    @Test
    void offlineIsDeterministicStreamsInChunksAndFillsEverything() {
        OfflineModel model = new OfflineModel(ArtworkCatalogue.load(), Duration.ZERO);
        ModelRequest request = new ModelRequest("museum", "Who painted The Night Watch?", List.of());
        List<String> chunks = new ArrayList<>();
        ModelReply reply = model.reply(request, chunks::add);
        assertTrue(chunks.size() >= 3, "several chunks");
        assertEquals(reply.text(), String.join("", chunks));
        assertEquals("The Night Watch", reply.images().getFirst().title());
        assertEquals(3, reply.images().size());
        assertEquals(1, reply.sources().size());
        assertEquals(3, reply.suggestions().size());
        assertEquals(0.0, reply.costUsd());
        assertTrue(reply.promptTokens() > 0 && reply.completionTokens() > 0);
        assertEquals(reply, model.reply(request, c -> { }));
        assertTrue(ArtworkCatalogue.load().all().size() >= 30);
    }

    @Test
    void openAiStreamsDeltasReadsUsageAndSendsHistory() {
        fake.mode(FakeOpenAi.Mode.STREAM);
        List<String> chunks = new ArrayList<>();
        ModelReply reply = openai.reply(new ModelRequest("general", "And who painted it?",
                List.of(new ModelRequest.Turn("user", "Tell me about The Night Watch"),
                        new ModelRequest.Turn("assistant", "It is a 1642 painting."))), chunks::add);
        assertEquals(List.of("Hello", ", visitor", ". The Night Watch", " is in room 2."), chunks);
        assertEquals("Hello, visitor. The Night Watch is in room 2.", reply.text());
        assertEquals(42, reply.promptTokens());
        assertEquals(7, reply.completionTokens());
        assertEquals("fake-model", reply.model());
        assertNull(reply.costUsd());
        String body = fake.bodies().getLast();
        assertTrue(body.contains("\"stream\":true"), body);
        assertTrue(body.contains("Tell me about The Night Watch") && body.contains("It is a 1642 painting."), body);
        assertTrue(body.contains("\"model\":\"gemini-3.5-flash\""), body);
    }

    @Test
    void openAiIsAskedForAtMostMaxTokensWithHistoryCappedByCharacters() {
        fake.mode(FakeOpenAi.Mode.STREAM);
        openai.reply(new ModelRequest("general", "And who painted it?",
                List.of(new ModelRequest.Turn("user", "an old, long message " + "x".repeat(500)),
                        new ModelRequest.Turn("user", "Tell me about The Night Watch"),
                        new ModelRequest.Turn("assistant", "It is a 1642 painting."))), c -> { });
        String body = fake.bodies().getLast();
        assertTrue(body.contains("\"max_tokens\":256"), body);
        assertTrue(body.contains("Tell me about The Night Watch") && body.contains("It is a 1642 painting."), body);
        assertTrue(!body.contains("an old, long message"), "history over 60 characters drops the oldest: " + body);
    }

    @Test
    void openAiErrorStatusIsAModelException() {
        fake.mode(FakeOpenAi.Mode.FAIL_500);
        ModelException e = assertThrows(ModelException.class,
                () -> openai.reply(new ModelRequest("general", "hi", List.of()), c -> { }));
        assertEquals("model endpoint answered 500", e.getMessage());
    }

    @Test
    void openAiStallIsCutByTheIdleTimeout() {
        fake.mode(FakeOpenAi.Mode.STALL);
        List<String> chunks = new ArrayList<>();
        ModelException e = assertThrows(ModelException.class,
                () -> impatient.reply(new ModelRequest("general", "hi", List.of()), chunks::add));
        // "stalled" is the idle watchdog's word; the total timeout (60 s) would say "timed out"
        assertEquals("model stream stalled", e.getMessage());
        assertEquals(List.of("Hello"), chunks);
    }

    @Test
    void openAiUnreachableIsAModelException() {
        OpenAiModel dead = new OpenAiModel(new OpenAiModel.Settings(java.net.URI.create("http://127.0.0.1:1/v1"),
                null, "m", Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2), 256, 60));
        assertEquals("model endpoint unreachable", assertThrows(ModelException.class,
                () -> dead.reply(new ModelRequest("general", "hi", List.of()), c -> { })).getMessage());
    }

    @Test
    void aSinkFailureStopsTheCallAndPropagatesUnchanged() {
        fake.mode(FakeOpenAi.Mode.STREAM);
        IllegalStateException gone = new IllegalStateException("client gone");
        assertSame(gone, assertThrows(IllegalStateException.class,
                () -> openai.reply(new ModelRequest("general", "hi", List.of()), c -> { throw gone; })));
    }
}
