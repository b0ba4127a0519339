package io.dataland.agent.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.dataland.kit.http.Json;

/**
 * Any OpenAI-compatible {@code POST {base}/chat/completions} endpoint, streaming: the conversation's
 * history goes as context, text deltas are forwarded as they arrive, usage is read from the stream
 * ({@code stream_options.include_usage}). A connect failure, an error status, a malformed stream, a
 * stream that stalls longer than the idle timeout or runs past the total timeout is a {@link ModelException}.
 * The provider knows no prices: cost is null. It returns no images, sources or suggestions.
 */
public final class OpenAiModel implements ModelProvider {

    private static final int MAX_HISTORY = 40;
    private static final String SYSTEM_PROMPT = "You are Dataland's museum guide. Answer visitors' questions about "
            + "art and the collection briefly and accurately.";

    /** Endpoint, key and limits. */
    public record Settings(URI baseUrl, String apiKey, String model, Duration connectTimeout, Duration idleTimeout,
                           Duration totalTimeout, int maxTokens, int historyMaxChars) {
    }

    private final Settings settings;
    private final HttpClient http;

    /** A provider for {@code settings}. */
    public OpenAiModel(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public String model() {
        return settings.model();
    }

    @Override
    public int historyTurns() {
        return MAX_HISTORY;
    }

    @Override
    public ModelReply reply(ModelRequest request, DeltaSink sink) {
        HttpRequest httpRequest = HttpRequest.newBuilder(endpoint())
                .timeout(settings.idleTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + (settings.apiKey() == null ? "" : settings.apiKey()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(request)))
                .build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(httpRequest, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new ModelException("model endpoint timed out");
        } catch (IOException e) {
            throw new ModelException("model endpoint unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException("interrupted");
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new ModelException("model endpoint answered " + response.statusCode());
            }
            return read(in, sink);
        } catch (IOException e) {
            throw new ModelException("model stream failed");
        }
    }

    private ModelReply read(InputStream in, DeltaSink sink) throws IOException {
        AtomicLong lastRead = new AtomicLong(System.nanoTime());
        AtomicBoolean done = new AtomicBoolean();
        AtomicBoolean timedOut = new AtomicBoolean();
        long deadline = System.nanoTime() + settings.totalTimeout().toNanos();
        Thread watchdog = Thread.ofVirtual().name("model-watchdog").start(() -> watch(in, lastRead, done, timedOut, deadline));
        StringBuilder text = new StringBuilder();
        Integer prompt = null;
        Integer completion = null;
        String model = settings.model();
        boolean finished = false;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lastRead.set(System.nanoTime());
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    finished = true;
                    break;
                }
                JsonNode event = parse(data);
                if (event.hasNonNull("error")) {
                    throw new ModelException("model stream reported an error");
                }
                if (event.hasNonNull("model")) {
                    model = event.get("model").asText();
                }
                JsonNode usage = event.get("usage");
                if (usage != null && usage.isObject()) {
                    prompt = usage.path("prompt_tokens").isInt() ? usage.get("prompt_tokens").asInt() : prompt;
                    completion = usage.path("completion_tokens").isInt() ? usage.get("completion_tokens").asInt() : completion;
                }
                for (JsonNode choice : event.path("choices")) {
                    String delta = choice.path("delta").path("content").asText("");
                    if (!delta.isEmpty()) {
                        text.append(delta);
                        sink.delta(delta);
                    }
                }
            }
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new ModelException("model stream stalled");
            }
            throw e;
        } finally {
            done.set(true);
            watchdog.interrupt();
        }
        if (!finished) {
            throw new ModelException(timedOut.get() ? "model stream stalled" : "model stream ended early");
        }
        return new ModelReply(model, text.toString(), List.of(), List.of(), List.of(), prompt, completion, null);
    }

    /** Closes the stream when it stalls past the idle timeout or runs past the deadline. */
    private void watch(InputStream in, AtomicLong lastRead, AtomicBoolean done, AtomicBoolean timedOut, long deadline) {
        long idle = settings.idleTimeout().toNanos();
        while (!done.get()) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            if (!done.get() && (now - lastRead.get() > idle || now > deadline)) {
                timedOut.set(true);
                try {
                    in.close();
                } catch (IOException ignored) {
                    // closing is all we can do
                }
                return;
            }
        }
    }

    private URI endpoint() {
        String base = settings.baseUrl().toString();
        return URI.create(base.endsWith("/") ? base + "chat/completions" : base + "/chat/completions");
    }

    private byte[] body(ModelRequest request) {
        List<Map<String, String>> messages = new ArrayList<>();
        messages.add(Map.of("role", "system", "content", SYSTEM_PROMPT));
        messages.addAll(history(request.history(), settings.historyMaxChars()));
        messages.add(Map.of("role", "user", "content", request.message()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", settings.model());
        // both bound what one turn can cost: the answer's length and the context re-sent with every turn
        body.put("max_tokens", settings.maxTokens());
        body.put("messages", messages);
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The newest earlier messages (at most 40) whose text adds up to at most {@code maxChars}, oldest first. */
    static List<Map<String, String>> history(List<ModelRequest.Turn> history, int maxChars) {
        java.util.ArrayDeque<Map<String, String>> kept = new java.util.ArrayDeque<>();
        long chars = 0;
        for (int i = history.size() - 1; i >= Math.max(0, history.size() - MAX_HISTORY); i--) {
            ModelRequest.Turn turn = history.get(i);
            if (turn.text() == null || !("user".equals(turn.role()) || "assistant".equals(turn.role()))) {
                continue;
            }
            chars += turn.text().length();
            if (chars > maxChars) {
                break;
            }
            kept.addFirst(Map.of("role", turn.role(), "content", turn.text()));
        }
        return List.copyOf(kept);
    }

    private static JsonNode parse(String data) {
        try {
            return Json.MAPPER.readTree(data);
        } catch (JsonProcessingException e) {
            throw new ModelException("model stream is malformed");
        }
    }
}
