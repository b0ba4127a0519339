package io.dataland.kit.http;

import java.time.Duration;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/** The {@code Retry-After} header, in whole seconds and never below one (a client must not retry at once). */
public final class RetryAfter {

    private RetryAfter() {
    }

    /** {@code wait} as the header's value. */
    public static String seconds(Duration wait) {
        return Long.toString(Math.max(1, wait.toSeconds()));
    }

    /** Sets the header on {@code res}. */
    public static void set(ServerResponse res, Duration wait) {
        res.header(HeaderNames.RETRY_AFTER, seconds(wait));
    }
}
