package io.dataland.auth.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import io.dataland.kit.http.ApiException;
import io.dataland.kit.http.ErrorCodes;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;

/** An {@code application/x-www-form-urlencoded} body: first value of each name. */
record FormBody(Map<String, String> values) {

    /** Reads the request body; 415 for another content type, 400 when it does not decode. */
    static FormBody read(ServerRequest req) {
        boolean form = req.headers().contentType()
                .map(type -> "application/x-www-form-urlencoded".equalsIgnoreCase(type.mediaType().text()))
                .orElse(false);
        if (!form) {
            throw new ApiException(Status.UNSUPPORTED_MEDIA_TYPE_415, ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
                    "send the form as application/x-www-form-urlencoded");
        }
        String body = req.content().hasEntity() ? req.content().as(String.class) : "";
        Map<String, String> values = new HashMap<>();
        try {
            for (String pair : body.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                values.putIfAbsent(name, value);
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(ErrorCodes.MALFORMED_FORM, "the form could not be read");
        }
        return new FormBody(values);
    }

    /** The value of {@code name}, or empty text. */
    String get(String name) {
        return values.getOrDefault(name, "");
    }

    /** The value of {@code name}, or null when absent or blank. */
    String optional(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? null : value;
    }
}
