package io.dataland.agent.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads a Server-Sent Events answer event by event over a real connection (tests only). */
public final class SseClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event: its name and JSON data. */
    public record Event(String name, JsonNode data) {
    }

    /** A streamed answer: status, content type and the events read. */
    public record Stream(int status, String contentType, List<Event> events, String body) {

        /** The event names in order. */
        public List<String> names() {
            return events.stream().map(Event::name).toList();
        }
    }

    private SseClient() {
    }

    /**
     * POSTs {@code body} to {@code path} with {@code Accept: text/event-stream} and reads events until the
     * stream ends or {@code stopAfter} matches an event (then the connection is closed: a client leaving).
     */
    public static Stream post(AgentHarness agent, String path, String token, String body, Predicate<Event> stopAfter) {
        HttpRequest request = agent.request(path, token).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        try {
            HttpResponse<InputStream> response = agent.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            String type = response.headers().firstValue("Content-Type").orElse("");
            List<Event> events = new ArrayList<>();
            try (InputStream in = response.body();
                 BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                if (!type.startsWith("text/event-stream")) {
                    return new Stream(response.statusCode(), type, events, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                String name = null;
                StringBuilder data = new StringBuilder();
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (name != null || !data.isEmpty()) {
                            Event event = new Event(name, JSON.readTree(data.toString()));
                            events.add(event);
                            if (stopAfter.test(event)) {
                                break;
                            }
                        }
                        name = null;
                        data.setLength(0);
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).strip();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).strip());
                    }
                }
            }
            return new Stream(response.statusCode(), type, events, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
