package io.dataland.agent.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local OpenAI-compatible {@code /v1/chat/completions} that streams deltas and usage, fails with 500, or
 * stalls mid-stream, as the test chooses; it records every request body.
 */
public final class FakeOpenAi implements AutoCloseable {

    /** What the next requests get. */
    public enum Mode { STREAM, FAIL_500, STALL, FAIL_429, CUT, GARBAGE }

    private final HttpServer server;
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.STREAM);
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private volatile List<String> deltas = List.of("Hello", ", visitor", ". The Night Watch", " is in room 2.");

    private FakeOpenAi(HttpServer server) {
        this.server = server;
    }

    /** Starts on a free loopback port. */
    public static FakeOpenAi start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            FakeOpenAi fake = new FakeOpenAi(server);
            server.createContext("/v1/chat/completions", fake::handle);
            server.start();
            return fake;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base URL ({@code MODEL_BASE_URL}). */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    /** Sets what the next requests get. */
    public void mode(Mode next) {
        mode.set(next);
    }

    /** Sets the deltas streamed. */
    public void deltas(List<String> next) {
        deltas = List.copyOf(next);
    }

    /** The request bodies received, in order. */
    public List<String> bodies() {
        return bodies;
    }

    private void handle(HttpExchange exchange) throws IOException {
        bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Mode current = mode.get();
        if (current == Mode.FAIL_429) {
            byte[] body = "{\"error\":{\"message\":\"slow down\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Retry-After", "7");
            exchange.sendResponseHeaders(429, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
            return;
        }
        if (current == Mode.FAIL_500) {
            byte[] body = "{\"error\":{\"message\":\"boom\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            List<String> chunks = deltas;
            for (int i = 0; i < chunks.size(); i++) {
                String json = "{\"id\":\"c1\",\"model\":\"fake-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                        + quote(chunks.get(i)) + "}}]}";
                write(out, "data: " + json + "\n\n");
                if (current == Mode.CUT && i == 0) {
                    return; // the connection ends mid-answer: no usage, no [DONE]
                }
                if (current == Mode.GARBAGE && i == 0) {
                    write(out, "data: {\"choices\": [{\"delta\": \n\n");
                }
                if (current == Mode.STALL && i == 0) {
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            write(out, "data: {\"id\":\"c1\",\"model\":\"fake-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":42,"
                    + "\"completion_tokens\":7,\"total_tokens\":49}}\n\n");
            write(out, "data: [DONE]\n\n");
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
