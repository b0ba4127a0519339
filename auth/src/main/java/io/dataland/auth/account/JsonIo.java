package io.dataland.auth.account;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dataland.kit.http.ApiException;
import io.helidon.http.HttpMediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Strict JSON in, snake_case JSON out (API.md conventions): the body must be one JSON object with
 * nothing after it, sent as {@code application/json}; a value of the wrong type is 400, never coerced;
 * unknown keys are ignored.
 */
final class JsonIo {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private JsonIo() {
    }

    /** The request body as a JSON object; 415 for another content type, 400 when malformed. */
    static ObjectNode readObject(ServerRequest req) {
        boolean json = req.headers().contentType()
                .map(type -> "application/json".equalsIgnoreCase(type.mediaType().text()))
                .orElse(false);
        if (!json) {
            throw new ApiException(Status.UNSUPPORTED_MEDIA_TYPE_415, "unsupported_media_type",
                    "send the body as application/json");
        }
        JsonNode node;
        try {
            byte[] body = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
            node = JSON.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("malformed_json", "the body is not valid JSON");
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.badRequest("malformed_json", "the body must be a JSON object");
        }
        return object;
    }

    /** A required string member. */
    static String requiredString(ObjectNode body, String key) {
        JsonNode value = body.get(key);
        if (value == null || value.isNull()) {
            throw ApiException.badRequest("missing_field", key + " is required");
        }
        if (!value.isTextual()) {
            throw ApiException.badRequest("invalid_field", key + " must be a string");
        }
        return value.textValue();
    }

    /** An optional string member: missing or null gives null. */
    static String optionalString(ObjectNode body, String key) {
        JsonNode value = body.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.badRequest("invalid_field", key + " must be a string or null");
        }
        return value.textValue();
    }

    /** Sends {@code value} as JSON with {@code status}. */
    static void send(ServerResponse res, Status status, Object value) {
        try {
            res.status(status);
            res.headers().contentType(HttpMediaTypes.JSON_UTF_8);
            res.header("Cache-Control", "no-store");
            res.send(JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
