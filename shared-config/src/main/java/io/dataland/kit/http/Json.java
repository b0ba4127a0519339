package io.dataland.kit.http;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.helidon.http.HttpMediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * The process's one JSON configuration, for both services: records out as {@code snake_case} with every
 * key present ({@code null} when empty), java.time values as ISO-8601 text, {@link OffsetDateTime} normalised
 * to UTC ({@code 2026-11-28T10:15:30.123Z}); strict reading (trailing data and duplicate keys are errors).
 */
public final class Json {

    /** The mapper for responses, request bodies and any other JSON the services read or write. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .addModule(new JavaTimeModule())
            // registered after JavaTimeModule so that it wins: JavaTimeModule keeps the offset as given
            .addModule(new SimpleModule().addSerializer(OffsetDateTime.class, new UtcSerializer()))
            .build();

    private Json() {
    }

    /** {@code value} as JSON bytes. */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** Sends {@code value} as JSON with {@code status}. */
    public static void send(ServerResponse res, Status status, Object value) {
        res.status(status);
        res.headers().contentType(HttpMediaTypes.JSON_UTF_8);
        res.send(bytes(value));
    }

    /** Sends {@code value} as JSON with 200. */
    public static void ok(ServerResponse res, Object value) {
        send(res, Status.OK_200, value);
    }

    /** ISO-8601 with offset, normalised to UTC; null stays null. */
    public static String timestamp(OffsetDateTime t) {
        return t == null ? null : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }

    private static final class UtcSerializer extends JsonSerializer<OffsetDateTime> {
        @Override
        public void serialize(OffsetDateTime value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(timestamp(value));
        }
    }
}
