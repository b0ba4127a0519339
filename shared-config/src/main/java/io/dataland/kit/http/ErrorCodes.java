package io.dataland.kit.http;

/**
 * The error vocabulary of both services: the {@code error} member of every JSON error. One code per
 * situation, whichever service answers (a value of the wrong JSON type is {@link #WRONG_TYPE} in both,
 * a missing or bad bearer token {@link #UNAUTHORIZED} in both).
 */
public final class ErrorCodes {

    /** 400: a value the database refused as data (SQLSTATE class 22), never a 500. */
    public static final String INVALID_VALUE = "invalid_value";
    /** 400: the body is not one JSON object (or not strict UTF-8). */
    public static final String MALFORMED_JSON = "malformed_json";
    /** 400: the body could not be read. */
    public static final String MALFORMED_BODY = "malformed_body";
    /** 400: an HTML form body that does not decode. */
    public static final String MALFORMED_FORM = "malformed_form";
    /** 400: a required key is absent. */
    public static final String MISSING_FIELD = "missing_field";
    /** 400: a value of another JSON type than the field takes ({@code null} for a required string too). */
    public static final String WRONG_TYPE = "wrong_type";
    /** 400: a value of the right type outside the field's rules (auth's profile fields). */
    public static final String INVALID_FIELD = "invalid_field";
    /** 400: text with NUL or an unpaired surrogate (PostgreSQL {@code text} cannot hold it), a control
     * character in the path or a query value. */
    public static final String INVALID_TEXT = "invalid_text";
    /** 400: any other request Helidon refuses before routing. */
    public static final String BAD_REQUEST = "bad_request";
    /** 401: no bearer token, or one that does not verify. */
    public static final String UNAUTHORIZED = "unauthorized";
    /** 404: unknown, or not the caller's (indistinguishably). */
    public static final String NOT_FOUND = "not_found";
    /** 405. */
    public static final String METHOD_NOT_ALLOWED = "method_not_allowed";
    /** 413: a body over {@link JsonBody#MAX_BYTES}. */
    public static final String PAYLOAD_TOO_LARGE = "payload_too_large";
    /** 415: no or another content type than the route reads. */
    public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";
    /** 501: a request in a transfer coding the server does not take (anything but chunked). */
    public static final String NOT_IMPLEMENTED = "not_implemented";
    /** 500: the body says nothing more; the log has the cause. */
    public static final String INTERNAL_ERROR = "internal_error";
    /** 503 with {@code Retry-After}: the database is unreachable or the pool has no free connection. */
    public static final String DATABASE_UNAVAILABLE = "database_unavailable";
    /** 503 with {@code Retry-After}: a bounded resource (auth's password hashing) is full. */
    public static final String SERVER_BUSY = "server_busy";

    private ErrorCodes() {
    }
}
