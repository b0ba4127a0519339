package io.dataland.agent.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dataland.kit.http.ApiException;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;

/**
 * A request's JSON object, read strictly (API.md "Conventions"): at most {@link #MAX_BYTES} bytes (chunked
 * bodies included, else 413), {@code application/json} when a content type is given (else 415), exactly one
 * JSON object with nothing after it (else 400), values of the wrong JSON type refused rather than coerced,
 * text with NUL or unpaired surrogates refused. Unknown keys are ignored.
 */
public final class JsonBody {

    /** The body limit in bytes. */
    public static final int MAX_BYTES = 64 * 1024;

    private final ObjectNode node;

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    /** Reads and parses the body of {@code req}. */
    public static JsonBody read(ServerRequest req) {
        Optional<HttpMediaType> type = req.headers().contentType();
        if (type.isPresent() && !type.get().test(MediaTypes.APPLICATION_JSON)) {
            throw new ApiException(Status.UNSUPPORTED_MEDIA_TYPE_415, "unsupported_media_type",
                    "the body must be application/json");
        }
        return parse(readBytes(req));
    }

    /** Parses {@code body} (tests and {@link #read}). */
    public static JsonBody parse(byte[] body) {
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("malformed_json", "the body is not valid JSON");
        } catch (IOException e) {
            throw ApiException.badRequest("malformed_json", "the body is not valid JSON");
        }
        if (tree == null || tree.isMissingNode() || !tree.isObject()) {
            throw ApiException.badRequest("malformed_json", "the body must be a JSON object");
        }
        return new JsonBody((ObjectNode) tree);
    }

    private static byte[] readBytes(ServerRequest req) {
        try (InputStream in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw ApiException.badRequest("malformed_body", "the body could not be read");
        }
    }

    /** The 413 for a body over the limit. */
    public static ApiException tooLarge() {
        return new ApiException(Status.REQUEST_ENTITY_TOO_LARGE_413, "payload_too_large",
                "request body over the limit of " + MAX_BYTES + " bytes");
    }

    /** A required string: missing, {@code null} or another type is 400. */
    public String requiredString(String key) {
        JsonNode value = node.get(key);
        if (value == null) {
            throw ApiException.badRequest("missing_field", "'" + key + "' is required");
        }
        if (!value.isTextual()) {
            throw ApiException.badRequest("wrong_type", "'" + key + "' must be a string");
        }
        return Text.checked(key, value.textValue());
    }

    /** An optional string: missing or {@code null} is empty; another type is 400. */
    public Optional<String> optionalString(String key) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw ApiException.badRequest("wrong_type", "'" + key + "' must be a string or null");
        }
        return Optional.of(Text.checked(key, value.textValue()));
    }

    /** A key that must be present but may be {@code null} (empty); another type than string is 400. */
    public Optional<String> requiredNullableString(String key) {
        if (!node.has(key)) {
            throw ApiException.badRequest("missing_field", "'" + key + "' is required (null to clear)");
        }
        return optionalString(key);
    }
}
