package io.dataland.auth.account;

import java.text.Normalizer;
import java.util.Locale;

import io.dataland.kit.http.ApiException;
import io.dataland.kit.http.ErrorCodes;
import io.dataland.kit.http.Text;

/**
 * Checks on the credentials a signup or login carries, shared by the JSON API and the HTML forms: text that
 * PostgreSQL cannot hold is refused by the kit's {@link Text#checked}, emails are trimmed, NFC-normalised
 * and lower-cased, with invisible and direction characters refused.
 */
public final class Credentials {

    /** Longest email accepted (RFC 5321 path limit). */
    public static final int MAX_EMAIL = 254;
    /** Longest optional profile value accepted. */
    public static final int MAX_PROFILE = 2048;

    private Credentials() {
    }

    /**
     * The trimmed, NFC-normalised, lower-cased email; 400 {@code invalid_email} unless it looks like one.
     * NFC makes the composed and decomposed spellings of one address one account; format characters
     * (Unicode Cf: bidi overrides and isolates, zero-width space/joiners, BOM, soft hyphen) are refused,
     * since they make two different addresses look identical to staff reading them. Whitespace of any kind is
     * refused too: {@link Character#isWhitespace} leaves out the no-break spaces (U+00A0, U+2007, U+202F),
     * which {@link Character#isSpaceChar} (every Unicode space separator) catches.
     */
    public static String normaliseEmail(String raw) {
        Text.checked("email", raw);
        String email = Normalizer.normalize(raw.strip(), Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
        if (email.codePoints().anyMatch(c -> Character.getType(c) == Character.FORMAT)) {
            throw ApiException.badRequest("invalid_email", "email must not contain invisible or direction characters");
        }
        int at = email.indexOf('@');
        if (email.isEmpty() || email.length() > MAX_EMAIL || at <= 0 || at != email.lastIndexOf('@')
                || at == email.length() - 1 || email.codePoints().anyMatch(c -> Character.isWhitespace(c)
                || Character.isSpaceChar(c) || Character.isISOControl(c))) {
            throw ApiException.badRequest("invalid_email", "email must be an address like name@example.org");
        }
        return email;
    }

    /**
     * An optional profile value: null (and empty text) stays as given, otherwise checked text up to
     * {@link #MAX_PROFILE} with a character that is not whitespace (whitespace only is 400, as in the agent).
     */
    public static String profile(String field, String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        Text.checked(field, value);
        if (Text.isBlank(value)) {
            throw ApiException.badRequest(ErrorCodes.INVALID_FIELD, field + " must not be blank");
        }
        if (value.length() > MAX_PROFILE) {
            throw ApiException.badRequest(ErrorCodes.INVALID_FIELD, field + " must be at most " + MAX_PROFILE + " characters");
        }
        return value;
    }
}
