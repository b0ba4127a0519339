package io.dataland.kit.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;

/**
 * Routes are matched exactly (the contract): a request path in any other spelling than the route's own is
 * 404 {@code not_found}, before routing. Helidon resolves dot segments, and routes a path with an empty
 * segment ({@code //v1/me}), a trailing slash ({@code /v1/chat/}) or a matrix parameter ({@code /v1/me;x})
 * to the route of the plain path. An id that is a path segment of its own ({@code /v1/conversations/{id}})
 * would then reach another row than the one spelled, and a client's mistake would pass unnoticed.
 *
 * <p>Refused, on the request line's path as sent: an empty segment (a doubled or trailing slash, the root
 * {@code /} aside), a segment that is {@code .} or {@code ..} once percent-decoded ({@code %2e} too), and a
 * literal {@code ;} (a {@code ;} in an id is sent percent-encoded, {@code %3B}).
 */
public final class ExactPaths {

    private ExactPaths() {
    }

    /** The filter. */
    public static Filter filter() {
        return (chain, req, res) -> {
            if (isExact(req.prologue().uriPath().rawPath())) {
                chain.proceed();
            } else {
                JsonErrors.send(req, res, JsonErrors.fromHttp(Status.NOT_FOUND_404));
            }
        };
    }

    /** Whether {@code rawPath} (as sent, percent-encoded) is spelled as a route is. */
    static boolean isExact(String rawPath) {
        if (rawPath.equals("/")) {
            return true;
        }
        if (!rawPath.startsWith("/") || rawPath.indexOf(';') >= 0) {
            return false;
        }
        String[] segments = rawPath.substring(1).split("/", -1);
        for (String segment : segments) {
            String plain = segment.replace("%2e", ".").replace("%2E", ".");
            if (segment.isEmpty() || plain.equals(".") || plain.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
