package io.dataland.kit.http;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Strict request reading: the 400 cases of docs/api.md (both services read bodies this way) and what must pass. */
class JsonBodyTest {

    private static JsonBody body(String json) {
        return JsonBody.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsStringsAndIgnoresUnknownKeys() {
        JsonBody b = body("{\"message\": \"hi \\ud83d\\ude00\", \"extra\": [1, 2]}");
        assertEquals("hi \uD83D\uDE00", b.requiredString("message"));
        assertEquals(Optional.empty(), b.optionalString("conversation_id"));
    }

    @Test
    void malformedBodies() {
        for (String bad : new String[] {"", "   ", "{", "[]", "\"x\"", "null", "{} {}", "{\"a\":1} x",
                "{\"message\":\"a\",\"message\":\"b\"}", "{'message':'a'}"}) {
            assert400("malformed_json", () -> body(bad));
        }
        assert400("malformed_json", () -> JsonBody.parse(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'}));
    }

    @Test
    void wrongTypesAreNotCoerced() {
        assert400("wrong_type", () -> body("{\"message\": 5}").requiredString("message"));
        assert400("wrong_type", () -> body("{\"message\": true}").requiredString("message"));
        assert400("wrong_type", () -> body("{\"message\": [\"a\"]}").requiredString("message"));
        assert400("wrong_type", () -> body("{\"message\": null}").requiredString("message"));
        assert400("wrong_type", () -> body("{\"conversation_id\": 12}").optionalString("conversation_id"));
        assert400("missing_field", () -> body("{}").requiredString("message"));
    }

    @Test
    void nullClearsButMissingIsAnError() {
        assertEquals(Optional.empty(), body("{\"feedback\": null}").requiredNullableString("feedback"));
        assertEquals(Optional.of("like"), body("{\"feedback\": \"like\"}").requiredNullableString("feedback"));
        assert400("missing_field", () -> body("{}").requiredNullableString("feedback"));
    }

    @Test
    void nulAndUnpairedSurrogatesAreRefused() {
        assert400("invalid_text", () -> body("{\"message\": \"a\\u0000b\"}").requiredString("message"));
        assert400("invalid_text", () -> body("{\"message\": \"a\\ud800b\"}").requiredString("message"));
        assert400("invalid_text", () -> body("{\"message\": \"a\\udc00\"}").requiredString("message"));
        assert400("invalid_text", () -> body("{\"message\": \"\\ud800\"}").requiredString("message"));
    }

    @Test
    void everyInvalidUtf8SequenceIsRefused() {
        // {"message":"a<bytes>b"} around each sequence
        int[][] bad = {
                {0xC0, 0xAF},             // overlong '/'
                {0xC1, 0xBF},             // overlong, 2 bytes
                {0xE0, 0x80, 0xAF},       // overlong '/', 3 bytes
                {0xF0, 0x80, 0x80, 0xAF}, // overlong '/', 4 bytes
                {0xED, 0xA0, 0x80},       // CESU-8: U+D800 encoded
                {0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80}, // CESU-8 surrogate pair
                {0xF4, 0x90, 0x80, 0x80}, // past U+10FFFF
                {0x80},                   // lone continuation byte
                {0xC3},                   // truncated
                {0xE2, 0x82},             // truncated
                {0xFE}, {0xFF},           // never in UTF-8
        };
        for (int[] seq : bad) {
            byte[] prefix = "{\"message\":\"a".getBytes(StandardCharsets.UTF_8);
            byte[] suffix = "b\"}".getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[prefix.length + seq.length + suffix.length];
            System.arraycopy(prefix, 0, body, 0, prefix.length);
            for (int i = 0; i < seq.length; i++) {
                body[prefix.length + i] = (byte) seq[i];
            }
            System.arraycopy(suffix, 0, body, prefix.length + seq.length, suffix.length);
            assert400("malformed_json", () -> JsonBody.parse(body));
        }
        assertEquals("a\uD83C\uDFABb\u00e9", JsonBody.parse("{\"message\":\"a\uD83C\uDFABb\u00e9\"}"
                .getBytes(StandardCharsets.UTF_8)).requiredString("message"), "valid 4- and 2-byte forms pass");
    }

    @Test
    void ticketIds() {
        assertEquals("T-1", Text.ticketId("T-1"));
        assertEquals("x".repeat(128), Text.ticketId("x".repeat(128)));
        assertEquals("\uD83C\uDFAB".repeat(128), Text.ticketId("\uD83C\uDFAB".repeat(128)));
        assertEquals("a.b", Text.ticketId("a.b"));
        assertEquals("...", Text.ticketId("..."));
        for (String bad : new String[] {"", " ", "x".repeat(129), "a\tb", "a\nb", "a\u200bb", "a\u2028b", "a\u2029b",
                "a\u007fb", "\ufeffa", "a/b", "/", "a\\b", "a;b", ".", ".."}) {
            assert400("invalid_ticket_id", () -> Text.ticketId(bad));
        }
    }

    @Test
    void messageLength() {
        assertEquals("x".repeat(8000), Text.message("x".repeat(8000), 8000));
        assert400("invalid_message", () -> Text.message("x".repeat(8001), 8000));
        assert400("invalid_message", () -> Text.message("", 8000));
    }

    @Test
    void blankMessagesAreRefused() {
        for (String blank : new String[] {" ", "   ", "\n\t \r\n", "\u00a0", "\u2003\u3000", "\u000b\f"}) {
            assert400("invalid_message", () -> Text.message(blank, 8000));
        }
        assertEquals(" a ", Text.message(" a ", 8000));
    }

    private static void assert400(String code, Executable call) {
        ApiException e = assertThrows(ApiException.class, call);
        assertEquals(400, e.status().code());
        assertEquals(code, e.code());
    }
}
