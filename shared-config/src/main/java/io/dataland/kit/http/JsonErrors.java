package io.dataland.kit.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.HttpMediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Maps exceptions to the JSON error shape once, for a whole routing: {@link io.dataland.kit.ServiceBoot#start}
 * registers it for both services. Database unavailability and pool exhaustion become 503 with
 * {@code Retry-After}; anything unexpected is a 500 whose body says nothing about the cause (the log has
 * the stack trace, which carries no secrets: passwords never enter a URL or a message).
 */
public final class JsonErrors {

    private static final Logger LOG = Logger.getLogger(JsonErrors.class.getName());

    private JsonErrors() {
    }

    /** Registers the handlers on {@code routing}. */
    public static void register(HttpRouting.Builder routing, Duration retryAfter) {
        register(routing, retryAfter, () -> { });
    }

    /** As {@link #register(HttpRouting.Builder, Duration)}; {@code onUnavailable} hears of each unavailable database. */
    public static void register(HttpRouting.Builder routing, Duration retryAfter, Runnable onUnavailable) {
        routing.error(ApiException.class, (req, res, e) -> send(req, res, e))
                .error(HttpException.class, (req, res, e) -> send(req, res, fromHttp(e)))
                .error(SQLException.class, (req, res, e) -> sendDatabase(req, res, e, retryAfter, onUnavailable))
                .error(RuntimeException.class, (req, res, e) -> {
                    SQLException sql = sqlCause(e);
                    if (sql != null) {
                        sendDatabase(req, res, sql, retryAfter, onUnavailable);
                    } else {
                        LOG.log(Level.SEVERE, "unhandled error on " + req.prologue().method().text() + " "
                                + req.path().path(), e);
                        send(req, res, new ApiException(Status.INTERNAL_SERVER_ERROR_500, ErrorCodes.INTERNAL_ERROR,
                                "internal error"));
                    }
                });
    }

    /**
     * Writes {@code e} as the JSON error after reading and discarding what is left of the request's body.
     * Why: a request refused before its body was read (401, 415, 429, 503, 413 ...) must not lose its
     * keep-alive connection. Helidon drains an unread body after the handler only when neither side asked
     * for {@code Connection: close}, and a socket closed with unread input makes the kernel send a reset,
     * which reaches a client still sending as a broken pipe instead of the answer. Drained first, the answer
     * always arrives and the connection stays usable. The drain is bounded by the server's
     * {@code maxPayloadSize} ({@link JsonBody#DRAIN_BYTES}); past it Helidon closes the connection.
     *
     * <p>Except for a client that sent {@code Expect: 100-continue} and has not been told to continue: it
     * waits for the answer before it sends the body (RFC 9110, section 10.1.1), so there is nothing to
     * drain, and draining would wait for a body that never comes (curl sends it after a second; others
     * not at all). That client gets the answer at once with {@code Connection: close}, as the RFC asks of
     * a server that will not read the body; Helidon then closes the connection instead of reading on.
     */
    public static void send(ServerRequest req, ServerResponse res, ApiException e) {
        discardBody(req, res, e.closesConnection());
        send(res, e);
    }

    /**
     * Before a refusal: reads and discards the unread body, or, when {@code close} or for a client waiting on
     * {@code Expect: 100-continue}, marks the answer {@code Connection: close} instead (see
     * {@link #send(ServerRequest, ServerResponse, ApiException)}).
     */
    private static void discardBody(ServerRequest req, ServerResponse res, boolean close) {
        if (close || waitsForContinue(req) || !drained(req)) {
            res.header(HeaderValues.CONNECTION_CLOSE);
        }
    }

    private static boolean waitsForContinue(ServerRequest req) {
        return req.headers().contains(HeaderValues.EXPECT_100) && !req.continueSent();
    }

    /**
     * Reads and discards what is left of the body; false when its chunked framing broke, so that nothing
     * more can be read and the connection must close. Not through {@code content().consume()}: when a
     * chunk size is not hex, its stream's close reads on for the end of a body that has none, and the
     * refusal waited for the client to give up.
     */
    private static boolean drained(ServerRequest req) {
        if (!req.content().hasEntity() || req.content().consumed()) {
            return true;
        }
        try {
            InputStream in = req.content().inputStream();
            in.transferTo(OutputStream.nullOutputStream());
            in.close(); // at the end of the body: nothing left to read
            return true;
        } catch (NumberFormatException brokenChunkSize) {
            return false;
        } catch (IOException | RuntimeException overTheDrainLimitOrGone) {
            return true; // the answer is still sent; Helidon closes the connection after it
        }
    }

    /** {@code Retry-After} of a request refused over {@code SERVER_MAX_CONCURRENT_REQUESTS}. */
    static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(1);

    /**
     * The errors Helidon answers before routing in the JSON shape too: a body over the size limit, an
     * unparsable request, and a request over {@code SERVER_MAX_CONCURRENT_REQUESTS} (Helidon's 503, event
     * {@code OTHER}: 503 {@code server_busy} with {@code Retry-After}, as the contract says, where Helidon
     * alone sends an empty body). Register on the server with {@code directHandlers(...)}.
     */
    public static DirectHandlers directHandlers() {
        DirectHandler json = (request, type, status, headers, message) -> {
            ApiException e = status.code() == Status.SERVICE_UNAVAILABLE_503.code()
                    ? new ApiException(status, ErrorCodes.SERVER_BUSY, "too many requests in progress; retry shortly",
                            BUSY_RETRY_AFTER)
                    : fromHttp(status);
            e.retryAfter().ifPresent(d -> headers.set(HeaderNames.RETRY_AFTER, RetryAfter.seconds(d)));
            headers.set(HeaderValues.CONTENT_TYPE_JSON);
            return DirectHandler.TransportResponse.builder().status(status).headers(headers)
                    .entity(body(e.code(), e.getMessage())).build();
        };
        DirectHandlers.Builder handlers = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            handlers.addHandler(type, json);
        }
        return handlers.build();
    }

    /** Helidon's own errors (no route, bad request, payload too large) in the JSON shape. */
    static ApiException fromHttp(HttpException e) {
        return fromHttp(e.status());
    }

    static ApiException fromHttp(Status status) {
        return switch (status.code()) {
            case 404 -> new ApiException(status, ErrorCodes.NOT_FOUND, "no such resource");
            case 405 -> new ApiException(status, ErrorCodes.METHOD_NOT_ALLOWED, "method not allowed");
            case 413 -> new ApiException(status, ErrorCodes.PAYLOAD_TOO_LARGE, "request body over the limit");
            case 415 -> new ApiException(status, ErrorCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported content type");
            case 501 -> new ApiException(status, ErrorCodes.NOT_IMPLEMENTED, "transfer coding not supported (only chunked)");
            default -> new ApiException(status, status.code() >= 500 ? ErrorCodes.INTERNAL_ERROR : ErrorCodes.BAD_REQUEST,
                    status.code() >= 500 ? "internal error" : status.reasonPhrase().toLowerCase(java.util.Locale.ROOT));
        };
    }

    /** Writes {@code e} as the JSON error. */
    public static void send(ServerResponse res, ApiException e) {
        if (res.isSent()) {
            return;
        }
        e.retryAfter().ifPresent(d -> RetryAfter.set(res, d));
        if (e.status() == Status.UNAUTHORIZED_401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        res.status(e.status());
        res.headers().contentType(HttpMediaTypes.JSON_UTF_8);
        res.send(body(e.code(), e.getMessage()));
    }

    /** {@code {"error": code, "message": message}} as bytes. */
    public static byte[] body(String code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code e} means the database is unreachable or the pool has no free connection. */
    public static boolean isUnavailable(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientConnectionException
                || (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P03")));
    }

    /** Whether {@code e} is a data exception (SQLSTATE class 22): caused by a value the request sent. */
    public static boolean isValueError(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("22");
    }

    /**
     * A filter answering 400 {@code invalid_text} for a request whose decoded path or a query name or value
     * holds a control character (NUL included): such a value can only be hostile or broken, and PostgreSQL
     * would refuse NUL in a text parameter anyway.
     */
    public static Filter controlCharacters() {
        return (chain, req, res) -> {
            boolean bad = Text.hasControl(req.path().path());
            for (String name : req.query().names()) {
                if (bad) {
                    break;
                }
                bad = Text.hasControl(name) || req.query().all(name).stream().anyMatch(Text::hasControl);
            }
            if (bad) {
                send(req, res, ApiException.badRequest(ErrorCodes.INVALID_TEXT,
                        "the path or query contains a control character"));
            } else {
                chain.proceed();
            }
        };
    }

    /**
     * A filter answering 413 {@code payload_too_large} for a request whose declared {@code Content-Length} is
     * over {@link JsonBody#MAX_BYTES}, before any handler. Why here and not in Helidon's
     * {@code maxPayloadSize}: Helidon refuses such a body before routing and closes the connection without
     * reading it, which can reach a client still sending as a reset instead of the 413 (see
     * {@link #send(ServerRequest, ServerResponse, ApiException)}). Here the body, up to
     * {@link JsonBody#DRAIN_BYTES} (the server's {@code maxPayloadSize}), is drained before the answer.
     *
     * <p>An HTML form ({@link #isForm}) is refused by its route instead, with its page, which only the route
     * can render: here its body is drained as for any refusal (or, for a client waiting on
     * {@code Expect: 100-continue}, the answer will carry {@code Connection: close}), then the request goes
     * on, and the route refuses the declared length without reading (auth's {@code FormBody}). Every other
     * route that reads a body reads JSON ({@link JsonBody#read}), which refuses a form (415).
     */
    public static Filter bodyLimit() {
        return (chain, req, res) -> {
            if (req.headers().contentLength().orElse(0) <= JsonBody.MAX_BYTES) {
                chain.proceed();
            } else if (isForm(req)) {
                discardBody(req, res, false);
                chain.proceed();
            } else {
                send(req, res, JsonBody.tooLarge());
            }
        };
    }

    /** Whether {@code req} is sent as an HTML form ({@code application/x-www-form-urlencoded}). */
    public static boolean isForm(ServerRequest req) {
        return req.headers().contentType()
                .map(type -> "application/x-www-form-urlencoded".equalsIgnoreCase(type.mediaType().text()))
                .orElse(false);
    }

    private static void sendDatabase(ServerRequest req, ServerResponse res, SQLException e, Duration retryAfter,
                                     Runnable onUnavailable) {
        if (isValueError(e)) {
            // the value, not the server: e.g. 22021 (a byte sequence PostgreSQL text cannot hold), 22P02
            // (not a valid uuid), 22001 (too long). Nothing was written: the unit of work rolled back
            LOG.info(() -> "value refused by the database on " + req.path().path() + " (SQLState " + e.getSQLState() + ")");
            send(req, res, ApiException.badRequest(ErrorCodes.INVALID_VALUE, "a value in the request is not acceptable"));
        } else if (isUnavailable(e)) {
            onUnavailable.run();
            LOG.warning(() -> "database unavailable on " + req.path().path() + ": " + e.getClass().getSimpleName()
                    + " (SQLState " + e.getSQLState() + ")");
            send(req, res, new ApiException(Status.SERVICE_UNAVAILABLE_503, ErrorCodes.DATABASE_UNAVAILABLE,
                    "the database is unavailable; retry shortly", retryAfter));
        } else {
            LOG.log(Level.SEVERE, "database error on " + req.path().path() + " (SQLState " + e.getSQLState() + ")", e);
            send(req, res, new ApiException(Status.INTERNAL_SERVER_ERROR_500, ErrorCodes.INTERNAL_ERROR, "internal error"));
        }
    }

    private static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
