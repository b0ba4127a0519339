package io.dataland.agent.chat;

import io.dataland.kit.http.Json;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;

/**
 * The Server-Sent Events side of a turn. The stream opens lazily with its {@code meta} event on the first
 * event sent, so a model that fails before producing any text can still be answered with a JSON error.
 * A write that fails means the client went away: {@link ClientGone}.
 */
final class SseTurn {

    /** The client closed the connection while the turn was streaming. */
    static final class ClientGone extends RuntimeException {
        ClientGone(Throwable cause) {
            super("client disconnected", cause, false, false);
        }
    }

    private final ServerResponse res;
    private final Object meta;
    private SseSink sink;

    SseTurn(ServerResponse res, Object meta) {
        this.res = res;
        this.meta = meta;
    }

    /** Whether anything was sent (after this, errors go as an {@code error} event). */
    boolean started() {
        return sink != null;
    }

    /** Sends event {@code name} with {@code data} as JSON, opening the stream first if needed. */
    void emit(String name, Object data) {
        try {
            if (sink == null) {
                sink = res.sink(SseSink.TYPE);
                send("meta", meta);
            }
            send(name, data);
        } catch (ClientGone e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ClientGone(e);
        }
    }

    /** Ends the stream (no-op when never opened or already broken). */
    void close() {
        if (sink != null) {
            try {
                sink.close();
            } catch (RuntimeException e) {
                // the client is gone; nothing left to tell it
            }
        }
    }

    private void send(String name, Object data) {
        sink.emit(SseEvent.builder().name(name).data(new String(Json.bytes(data), java.nio.charset.StandardCharsets.UTF_8)).build());
    }
}
