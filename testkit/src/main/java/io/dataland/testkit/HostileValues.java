package io.dataland.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * One corpus of bad input values, shared by every service's hostile-input test (agent {@code /v1}, auth JSON
 * and form routes): blank text, NUL, unpaired and CESU-8 surrogates, overlong forms, other invalid UTF-8, and
 * a value over every length limit. Each value is the bytes that reach the server, put in a JSON string, a
 * URL or form field (percent-encoded) or a header.
 */
public final class HostileValues {

    private HostileValues() {
    }

    /** A bad value as the bytes that reach the server. */
    public record Bad(String name, byte[] bytes, boolean raw) {

        /** A value given as text (sent as its UTF-8 bytes). */
        public static Bad text(String name, String value) {
            return new Bad(name, value.getBytes(StandardCharsets.UTF_8), false);
        }

        /** A value given as raw bytes in hex. */
        public static Bad bytes(String name, String hex) {
            return new Bad(name, HexFormat.of().parseHex(hex), false);
        }

        /** A value written into a JSON string as is (a JSON escape sequence). */
        public static Bad rawJson(String name, String escaped) {
            return new Bad(name, escaped.getBytes(StandardCharsets.UTF_8), true);
        }

        /** The value as a JSON string literal: escaped when it is valid UTF-8, else the raw bytes quoted. */
        public byte[] json() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write('"');
            String text = raw ? null : strictUtf8(bytes);
            if (text == null) {
                out.writeBytes(bytes);
            } else {
                out.writeBytes(escape(text).getBytes(StandardCharsets.UTF_8));
            }
            out.write('"');
            return out.toByteArray();
        }

        /** Every byte percent-encoded (the server decodes it back to these bytes). */
        public String url() {
            StringBuilder s = new StringBuilder();
            for (byte b : bytes) {
                s.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
            return s.toString();
        }

        /** The bytes one for one as ISO-8859-1 characters (what a raw socket client writes into a header). */
        public String latin1() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    /** The corpus. */
    public static final List<Bad> CORPUS = List.of(
            Bad.text("spaces", "   "),
            Bad.text("whitespace mix", "\n\t \r\n"),
            Bad.text("unicode spaces", "\u00a0\u2003\u3000"),
            Bad.text("NUL alone", "\u0000"),
            Bad.text("NUL inside", "a\u0000b"),
            Bad.rawJson("escaped unpaired high surrogate", "a\\ud800b"),
            Bad.rawJson("escaped unpaired low surrogate", "\\udc00"),
            Bad.rawJson("escaped NUL", "\\u0000"),
            Bad.bytes("overlong '/' (2 bytes)", "c0af"),
            Bad.bytes("overlong '/' inside", "2e2ec0af2e2e"),
            Bad.bytes("overlong '/' (3 bytes)", "e080af"),
            Bad.bytes("overlong NUL (modified UTF-8)", "c080"),
            Bad.bytes("overlong '/' (4 bytes)", "f08080af"),
            Bad.bytes("CESU-8 high surrogate", "eda080"),
            Bad.bytes("CESU-8 surrogate pair", "eda0bdedb880"),
            Bad.bytes("past U+10FFFF", "f4908080"),
            Bad.bytes("lone continuation byte", "80"),
            Bad.bytes("truncated sequence", "61c3"),
            Bad.bytes("0xFF", "ff"),
            Bad.text("over every length limit", "x".repeat(9000)));

    /** {@code head}, the bad value's bytes, then {@code tail}: a body with the value in place. */
    public static byte[] concat(String head, byte[] middle, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** {@code body} cut to 200 characters, for a failure list. */
    public static String abbreviate(String body) {
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    // a JSON string's content: quote, backslash and control characters escaped, everything else as is
    private static String escape(String text) {
        StringBuilder s = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.toString();
    }
}
