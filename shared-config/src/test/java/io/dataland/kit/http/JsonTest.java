package io.dataland.kit.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one JSON writer both services answer with, and the bearer parsing both read tokens with. */
class JsonTest {

    record Answer(String accessToken, OffsetDateTime createdAt, Instant seenAt, String empty) {
    }

    @Test
    void writesSnakeCaseEveryKeyAndUtcTimestamps() {
        OffsetDateTime paris = OffsetDateTime.of(2026, 11, 28, 11, 15, 30, 123_000_000, ZoneOffset.ofHours(1));
        String json = new String(Json.bytes(new Answer("t", paris, Instant.parse("2026-11-28T10:15:30Z"), null)),
                StandardCharsets.UTF_8);
        assertEquals("{\"access_token\":\"t\",\"created_at\":\"2026-11-28T10:15:30.123Z\","
                + "\"seen_at\":\"2026-11-28T10:15:30Z\",\"empty\":null}", json);
    }

    @Test
    void bearerTokensAreTakenFromTheAuthorizationHeaderOnly() {
        assertEquals(Optional.of("abc.def"), Bearer.token(headers("Bearer abc.def")));
        assertEquals(Optional.of("abc"), Bearer.token(headers("bearer   abc  ")));
        for (String bad : new String[] {"Bearer", "Bearer ", "Bearer    ", "Basic abc", "Bearerabc",
                "Bearer " + "x".repeat(Bearer.MAX_TOKEN + 1)}) {
            assertEquals(Optional.empty(), Bearer.token(headers(bad)), bad.length() > 40 ? "too long" : bad);
        }
        assertEquals(Optional.empty(), Bearer.token(WritableHeaders.create()));
        assertEquals("unauthorized", ((ApiException) org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> Bearer.require(WritableHeaders.create()))).code());
    }

    @Test
    void retryAfterIsWholeSecondsAtLeastOne() {
        assertEquals("1", RetryAfter.seconds(java.time.Duration.ofMillis(200)));
        assertEquals("5", RetryAfter.seconds(java.time.Duration.ofMillis(5_900)));
    }

    private static Headers headers(String authorization) {
        return WritableHeaders.create().add(io.helidon.http.HeaderNames.AUTHORIZATION, authorization);
    }
}
