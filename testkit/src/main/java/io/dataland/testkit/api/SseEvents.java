package io.dataland.testkit.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Server-Sent Events answer read event by event over a real connection, as each event arrives: a
 * reader thread parses the stream into a queue, so a test can wait for the next event with a bound (and
 * so tell a streamed answer from one a proxy held back until it was complete). Closing it closes the
 * connection: a client leaving.
 */
public final class SseEvents implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event: its name and JSON data. */
    public record Event(String name, JsonNode data) {
    }

    /** A whole streamed answer: status, content type, the events read, and the body when it was not a stream. */
    public record Stream(int status, String contentType, List<Event> events, String body) {

        /** The event names in order. */
        public List<String> names() {
            return events.stream().map(Event::name).toList();
        }
    }

    private static final Event END = new Event(null, null);

    private final int status;
    private final String contentType;
    private final String body;
    private final InputStream in;
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();

    private SseEvents(int status, String contentType, String body, InputStream in) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.in = in;
    }

    /**
     * POSTs {@code body} (JSON) to {@code path} with {@code Accept: text/event-stream}; returns once the
     * answer's headers are in. A non-stream answer (a JSON error) is read whole: {@link #body()}.
     */
    public static SseEvents open(ApiClient api, String path, String token, String body) {
        HttpRequest request = api.request(path, token).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        try {
            HttpResponse<InputStream> response = api.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            String type = response.headers().firstValue("Content-Type").orElse("");
            InputStream in = response.body();
            if (!type.startsWith("text/event-stream")) {
                try (in) {
                    return new SseEvents(response.statusCode(), type, new String(in.readAllBytes(), StandardCharsets.UTF_8), null);
                }
            }
            SseEvents events = new SseEvents(response.statusCode(), type, null, in);
            Thread.ofVirtual().name("sse-reader").start(events::read);
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * As {@link #open}, then reads events until the stream ends or {@code stopAfter} matches one (then the
     * connection is closed: a client leaving). Each event must come within 60 s.
     */
    public static Stream post(ApiClient api, String path, String token, String body, Predicate<Event> stopAfter) {
        try (SseEvents stream = open(api, path, token, body)) {
            List<Event> events = new ArrayList<>();
            if (stream.body != null) {
                return new Stream(stream.status, stream.contentType, events, stream.body);
            }
            for (Event e = stream.next(Duration.ofSeconds(60)); e != null; e = stream.next(Duration.ofSeconds(60))) {
                events.add(e);
                if (stopAfter.test(e)) {
                    break;
                }
            }
            return new Stream(stream.status, stream.contentType, events, null);
        }
    }

    /** The answer's status. */
    public int status() {
        return status;
    }

    /** The answer's content type. */
    public String contentType() {
        return contentType;
    }

    /** The body of an answer that was not a stream, else null. */
    public String body() {
        return body;
    }

    /** The next event, or null once the stream has ended; an {@link AssertionError} when none came within {@code limit}. */
    public Event next(Duration limit) {
        if (in == null) {
            return null;
        }
        try {
            Event e = queue.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new AssertionError("no Server-Sent Event within " + limit.toMillis() + " ms");
            }
            if (e == END) {
                queue.add(END);
                return null;
            }
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String name = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (name != null || !data.isEmpty()) {
                        queue.add(new Event(name, JSON.readTree(data.toString())));
                    }
                    name = null;
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
        } catch (IOException e) {
            // closed by this side (a client leaving) or by the server: the stream ends here
        } finally {
            queue.add(END);
        }
    }

    /** Closes the connection. */
    @Override
    public void close() {
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
