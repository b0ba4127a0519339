package io.dataland.kit.http;

import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.Status;

/**
 * Bearer-token parsing for both services: {@code Authorization: Bearer <token>} (scheme case-insensitive,
 * surrounding blanks dropped), at most {@link #MAX_TOKEN} characters. Verifying the token is the caller's.
 */
public final class Bearer {

    /** The longest token looked at; anything longer is refused before any parsing. */
    public static final int MAX_TOKEN = 16_384;

    private static final String SCHEME = "Bearer ";

    private Bearer() {
    }

    /** The token, or empty when the header is absent, another scheme, blank or too long. */
    public static Optional<String> token(Headers headers) {
        return headers.first(HeaderNames.AUTHORIZATION)
                .filter(h -> h.length() > SCHEME.length() && h.regionMatches(true, 0, SCHEME, 0, SCHEME.length()))
                .map(h -> h.substring(SCHEME.length()).strip())
                .filter(t -> !t.isEmpty() && t.length() <= MAX_TOKEN);
    }

    /** The token, or 401 {@code unauthorized}. */
    public static String require(Headers headers) {
        return token(headers).orElseThrow(() -> unauthorized("missing bearer token"));
    }

    /** 401 {@code unauthorized} ({@link JsonErrors} adds {@code WWW-Authenticate: Bearer}). */
    public static ApiException unauthorized(String message) {
        return new ApiException(Status.UNAUTHORIZED_401, ErrorCodes.UNAUTHORIZED, message);
    }
}
