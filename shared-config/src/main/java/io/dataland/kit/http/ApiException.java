package io.dataland.kit.http;

import java.time.Duration;
import java.util.Optional;

import io.helidon.http.Status;

/**
 * A request that ends with a JSON error: {@code {"error": code, "message": message}} and {@code status}
 * (one vocabulary: {@link ErrorCodes}). Handlers throw it; {@link JsonErrors} writes it.
 */
public class ApiException extends RuntimeException {

    private final transient Status status;
    private final String code;
    private final transient Duration retryAfter;
    private final boolean closesConnection;

    /** An error with no {@code Retry-After}. */
    public ApiException(Status status, String code, String message) {
        this(status, code, message, null);
    }

    /** An error with a {@code Retry-After} header (429, 503). */
    public ApiException(Status status, String code, String message, Duration retryAfter) {
        this(status, code, message, retryAfter, false);
    }

    private ApiException(Status status, String code, String message, Duration retryAfter, boolean closesConnection) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
        this.closesConnection = closesConnection;
    }

    /**
     * 400 {@code malformed_body}: the body's framing broke while it was read (a chunk size that is not hex),
     * so where the next request would begin is unknown. Answered with {@code Connection: close}, without
     * reading further.
     */
    public static ApiException unreadableBody() {
        return new ApiException(Status.BAD_REQUEST_400, ErrorCodes.MALFORMED_BODY,
                "the body could not be read (malformed chunked encoding)", null, true);
    }

    /** 400 with {@code code}. */
    public static ApiException badRequest(String code, String message) {
        return new ApiException(Status.BAD_REQUEST_400, code, message);
    }

    /** 404 {@code not_found}: unknown or not the caller's, indistinguishably. */
    public static ApiException notFound(String what) {
        return new ApiException(Status.NOT_FOUND_404, "not_found", what + " not found");
    }

    /** The HTTP status. */
    public Status status() {
        return status;
    }

    /** The machine-readable code. */
    public String code() {
        return code;
    }

    /** Whether the answer closes the connection instead of reading what is left of the request. */
    public boolean closesConnection() {
        return closesConnection;
    }

    /** The {@code Retry-After} to send, if any. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
