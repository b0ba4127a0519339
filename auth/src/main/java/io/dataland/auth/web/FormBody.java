package io.dataland.auth.web;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import io.dataland.kit.http.ApiException;
import io.dataland.kit.http.ErrorCodes;
import io.dataland.kit.http.JsonBody;
import io.dataland.kit.http.JsonErrors;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;

/** An {@code application/x-www-form-urlencoded} body: first value of each name. */
record FormBody(Map<String, String> values) {

    /**
     * Reads the request body; 415 for another content type, 413 over {@link JsonBody#MAX_BYTES}, 400 when it
     * does not decode. A declared length over the limit is refused here without reading (a client waiting on
     * {@code Expect: 100-continue} is not told to send it): the kit's {@link JsonErrors#bodyLimit()} has
     * drained such a body (or set {@code Connection: close}) and left the refusal to the route, whose answer
     * is its page. A chunked body is counted while read; the stream's close reads what is left.
     */
    static FormBody read(ServerRequest req) {
        if (!JsonErrors.isForm(req)) {
            throw new ApiException(Status.UNSUPPORTED_MEDIA_TYPE_415, ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
                    "send the form as application/x-www-form-urlencoded");
        }
        if (req.headers().contentLength().orElse(0) > JsonBody.MAX_BYTES) {
            throw JsonBody.tooLarge();
        }
        // the kit's bounded read (413 past 64 KiB, chunked too), then strict decoding: a malformed percent
        // escape or bytes that are not strict UTF-8 (overlong forms, CESU-8) are 400, never replaced by U+FFFD
        String body = JsonBody.strictUtf8(JsonBody.bytes(req), ErrorCodes.MALFORMED_FORM);
        Map<String, String> values = new HashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            values.putIfAbsent(name, value);
        }
        return new FormBody(values);
    }

    // application/x-www-form-urlencoded: '+' is a space, %XX a byte; the bytes are then strict UTF-8
    private static String decode(String part) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(part.length());
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                int hi = i + 2 < part.length() ? Character.digit(part.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(part.charAt(i + 2), 16);
                if (lo < 0) {
                    throw ApiException.badRequest(ErrorCodes.MALFORMED_FORM, "the form could not be read");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                int cp = part.codePointAt(i);
                bytes.writeBytes(Character.toString(cp).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp) - 1;
            }
        }
        return JsonBody.strictUtf8(bytes.toByteArray(), ErrorCodes.MALFORMED_FORM);
    }

    /** The value of {@code name}, or empty text. */
    String get(String name) {
        return values.getOrDefault(name, "");
    }

    /** The value of {@code name}, or null when absent or empty (a blank value is passed on, to be refused). */
    String optional(String name) {
        String value = values.get(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
