package io.dataland.kit.http;

/**
 * The text rules of both services: what PostgreSQL {@code text} can hold ({@link #checked}, applied to
 * every string a {@link JsonBody} hands out and to form fields), and the agent API's field rules.
 */
public final class Text {

    /** The most characters of a ticket id. */
    public static final int TICKET_MAX = 128;
    /** The most characters of a conversation title. */
    public static final int TITLE_MAX = 200;

    private Text() {
    }

    /** {@code value} unless it holds NUL or an unpaired surrogate (400 naming {@code key}). */
    public static String checked(String key, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw ApiException.badRequest(ErrorCodes.INVALID_TEXT, "'" + key + "' contains NUL");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw ApiException.badRequest(ErrorCodes.INVALID_TEXT, "'" + key + "' contains an unpaired surrogate");
            }
            if (Character.isLowSurrogate(c)) {
                throw ApiException.badRequest(ErrorCodes.INVALID_TEXT, "'" + key + "' contains an unpaired surrogate");
            }
        }
        return value;
    }

    /**
     * A ticket id: 1-128 characters, not blank, no Cc, Cf, Zl or Zp character, and usable as one path
     * segment (the ticket's conversation is {@code /v1/conversations/{ticket_id}}): no {@code /} or
     * {@code \}, which servers and clients read as segment separators even percent-encoded, and not
     * {@code .} or {@code ..}, which they remove as dot segments.
     */
    public static String ticketId(String value) {
        int length = value.codePointCount(0, value.length());
        if (length < 1 || length > TICKET_MAX || isBlank(value)) {
            throw ApiException.badRequest("invalid_ticket_id", "'ticket_id' must be 1-" + TICKET_MAX
                    + " characters and not blank");
        }
        if (value.indexOf('/') >= 0 || value.indexOf('\\') >= 0 || value.indexOf(';') >= 0 || value.equals(".")
                || value.equals("..")) {
            throw ApiException.badRequest("invalid_ticket_id", "'ticket_id' must be usable as a path segment:"
                    + " no '/', '\\' or ';', not '.' or '..'");
        }
        value.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                throw ApiException.badRequest("invalid_ticket_id", "'ticket_id' must be printable characters");
            }
        });
        return value;
    }

    /** A message: 1..{@code max} characters, at least one of them not whitespace. */
    public static String message(String value, int max) {
        int length = value.codePointCount(0, value.length());
        if (length < 1 || length > max) {
            throw ApiException.badRequest("invalid_message", "'message' must be 1-" + max + " characters");
        }
        if (isBlank(value)) {
            throw ApiException.badRequest("invalid_message", "'message' must contain a character that is not whitespace");
        }
        return value;
    }

    /**
     * Whether {@code value} has no character other than whitespace: Java's whitespace and every Unicode
     * space separator (so NO-BREAK SPACE, which {@link String#isBlank} keeps, counts as blank too).
     */
    public static boolean isBlank(String value) {
        return value.codePoints().allMatch(cp -> Character.isWhitespace(cp) || Character.isSpaceChar(cp));
    }

    /**
     * Whether {@code value} holds a control character (Unicode Cc: C0, DEL and the C1 range U+0080-U+009F),
     * what a path segment or query value must not.
     */
    public static boolean hasControl(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** A title: 1-200 characters, not blank. */
    public static String title(String value) {
        int length = value.codePointCount(0, value.length());
        if (length < 1 || length > TITLE_MAX || isBlank(value)) {
            throw ApiException.badRequest("invalid_title", "'title' must be 1-" + TITLE_MAX + " characters, not blank");
        }
        return value;
    }
}
