package io.dataland.agent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;

/** A real local HTTP server answering {@code GET /jwks.json} with a document the test can swap. */
public final class JwksServer implements AutoCloseable {

    private final HttpServer server;
    private final AtomicReference<String> body;
    private final AtomicInteger hits = new AtomicInteger();

    private JwksServer(HttpServer server, AtomicReference<String> body) {
        this.server = server;
        this.body = body;
    }

    /** Starts on a free loopback port serving {@code jwks} (null: answering 503 until {@link #serve}). */
    public static JwksServer start(String jwks) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            AtomicReference<String> body = new AtomicReference<>(jwks);
            JwksServer jwksServer = new JwksServer(server, body);
            server.createContext("/jwks.json", exchange -> {
                jwksServer.hits.incrementAndGet();
                String document = body.get();
                if (document == null) { // down: as an auth server still starting behind a proxy
                    exchange.sendResponseHeaders(503, -1);
                    exchange.close();
                    return;
                }
                byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            server.start();
            return jwksServer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document's URL. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    /** Serves {@code jwks} from now on (a key rotation; null: 503). */
    public void serve(String jwks) {
        body.set(jwks);
    }

    /** Requests served so far. */
    public int hits() {
        return hits.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
