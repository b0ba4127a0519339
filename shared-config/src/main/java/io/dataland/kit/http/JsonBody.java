package io.dataland.kit.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;

/**
 * A request's JSON object, read strictly, the same in both services: sent as {@code application/json}
 * (absent or another content type: 415), at most {@link #MAX_BYTES} bytes (chunked bodies included: 413),
 * exactly one JSON object with nothing after it and no key twice (else 400), values of the wrong JSON type
 * refused rather than coerced, bytes that are not strict UTF-8 (overlong forms, CESU-8 surrogates) and text
 * with NUL or unpaired surrogates refused. Unknown keys are ignored.
 */
public final class JsonBody {

    /** The body limit in bytes, in both services (a longer body is 413). */
    public static final int MAX_BYTES = 64 * 1024;

    /**
     * How much of a refused request's unread body the server reads and discards after answering, so the
     * connection stays usable: the server's {@code maxPayloadSize}. Past it the server answers 413 and closes.
     */
    public static final int DRAIN_BYTES = 1024 * 1024;

    private final ObjectNode node;

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    /** Reads and parses the body of {@code req}. */
    public static JsonBody read(ServerRequest req) {
        boolean json = req.headers().contentType()
                .map(type -> type.test(MediaTypes.APPLICATION_JSON) && utf8Charset(type.charset()))
                .orElse(false);
        if (!json) {
            throw new ApiException(Status.UNSUPPORTED_MEDIA_TYPE_415, ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
                    "the body must be sent as application/json (UTF-8)");
        }
        return parse(bytes(req));
    }

    /**
     * Whether a declared {@code charset} parameter (none: JSON is UTF-8, RFC 8259) names UTF-8: a body
     * declared in another charset would be read as UTF-8 and mean something else than its sender meant.
     */
    public static boolean utf8Charset(Optional<String> charset) {
        return charset.map(name -> name.equalsIgnoreCase("utf-8") || name.equalsIgnoreCase("utf8")).orElse(true);
    }

    /** Parses {@code body} (tests and {@link #read}). */
    public static JsonBody parse(byte[] body) {
        String text = utf8(body);
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw ApiException.badRequest(ErrorCodes.MALFORMED_JSON, "the body is not valid JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw ApiException.badRequest(ErrorCodes.MALFORMED_JSON, "the body must be a JSON object");
        }
        return new JsonBody((ObjectNode) tree);
    }

    /**
     * {@code body} decoded as strict UTF-8: any malformed sequence is 400 {@code malformed_json}. Jackson's own
     * decoder accepts overlong forms ({@code C0 AF} for '/'), the classic way around path and filter checks;
     * the JDK's decoder refuses them, encoded surrogates (CESU-8) and code points past U+10FFFF. Parsing the
     * decoded text also stops Jackson from guessing UTF-16/32 from NUL bytes: JSON on the wire is UTF-8.
     */
    static String utf8(byte[] body) {
        return strictUtf8(body, ErrorCodes.MALFORMED_JSON);
    }

    /** {@code bytes} decoded as strict UTF-8 (see {@link #utf8}); a malformed sequence is 400 {@code code}. */
    public static String strictUtf8(byte[] bytes, String code) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest(code, "the body is not valid UTF-8");
        }
    }

    /**
     * The body of {@code req}, at most {@link #MAX_BYTES} (more: 413). A declared {@code Content-Length} over
     * the limit is refused before routing ({@link JsonErrors#bodyLimit()}); a chunked body has none, so the
     * limit is counted here too. Every route that reads a body reads it here.
     *
     * <p>A chunked body whose framing breaks (a chunk size that is not hex, a chunk extension, which
     * Helidon's decoder does not take) is 400 {@link ApiException#unreadableBody()}: the stream is left
     * unclosed, since closing it reads on to the end of the body, and a body without framing has no end
     * (the request then waited for the client to give up, and got a 500).
     */
    public static byte[] bytes(ServerRequest req) {
        InputStream in = req.content().inputStream();
        byte[] bytes;
        try {
            bytes = in.readNBytes(MAX_BYTES + 1);
            in.close(); // over the limit: reads and discards the rest, so the connection stays usable
        } catch (NumberFormatException brokenChunkSize) {
            // Helidon's decoder parses each chunk size as hex; anything else (a body past the server's
            // maxPayloadSize, the client gone) goes on to the error mapping as before
            throw ApiException.unreadableBody();
        } catch (IOException e) {
            throw ApiException.badRequest(ErrorCodes.MALFORMED_BODY, "the body could not be read");
        }
        if (bytes.length > MAX_BYTES) {
            throw tooLarge();
        }
        return bytes;
    }

    /** 413 {@code payload_too_large}: a body over {@link #MAX_BYTES}, declared or counted. */
    public static ApiException tooLarge() {
        return new ApiException(Status.REQUEST_ENTITY_TOO_LARGE_413, ErrorCodes.PAYLOAD_TOO_LARGE,
                "request body over the limit of " + MAX_BYTES + " bytes");
    }

    /** A required string: missing is 400 {@code missing_field}; {@code null} or another type 400 {@code wrong_type}. */
    public String requiredString(String key) {
        JsonNode value = node.get(key);
        if (value == null) {
            throw ApiException.badRequest(ErrorCodes.MISSING_FIELD, "'" + key + "' is required");
        }
        if (!value.isTextual()) {
            throw ApiException.badRequest(ErrorCodes.WRONG_TYPE, "'" + key + "' must be a string");
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
            throw ApiException.badRequest(ErrorCodes.WRONG_TYPE, "'" + key + "' must be a string or null");
        }
        return Optional.of(Text.checked(key, value.textValue()));
    }

    /** A key that must be present but may be {@code null} (empty); another type than string is 400. */
    public Optional<String> requiredNullableString(String key) {
        if (!node.has(key)) {
            throw ApiException.badRequest(ErrorCodes.MISSING_FIELD, "'" + key + "' is required (null to clear)");
        }
        return optionalString(key);
    }
}
