package io.dataland.kit.http;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;

/**
 * Closes the connection after an answer that says {@code Connection: close}, whether the client asked for
 * it or the server chose it (a refusal that does not read the body). HTTP/1.1 requires it (RFC 9112,
 * section 9.6), and a client that reads to the end of the stream waits for it. Helidon 4.5.0 sends the
 * header but keeps reading the connection (helidon-io/helidon#12324, fixed after 4.5.3, which Maven
 * Central does not serve here): the first filter, so it acts once the answer has been written, by the
 * exception Helidon's connection handler takes as "close this connection".
 */
public final class ConnectionClose {

    private ConnectionClose() {
    }

    /** The filter; register it before the others. */
    public static Filter filter() {
        return (chain, req, res) -> {
            chain.proceed();
            if (res.isSent() && (res.headers().contains(HeaderValues.CONNECTION_CLOSE)
                    || req.headers().contains(HeaderValues.CONNECTION_CLOSE))) {
                throw new CloseConnectionException("Connection: close");
            }
        };
    }
}
