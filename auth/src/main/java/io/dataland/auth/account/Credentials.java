package io.dataland.auth.account;

import java.util.Locale;

import io.dataland.kit.http.ApiException;

/**
 * Checks on the text a signup or login carries, shared by the JSON API and the HTML forms: text that
 * PostgreSQL cannot hold (NUL, unpaired surrogates) is refused, emails are trimmed and lower-cased.
 */
public final class Credentials {

    /** Longest email accepted (RFC 5321 path limit). */
    public static final int MAX_EMAIL = 254;
    /** Longest optional profile value accepted. */
    public static final int MAX_PROFILE = 2048;

    private Credentials() {
    }

    /** The trimmed, lower-cased email; 400 {@code invalid_email} unless it looks like one. */
    public static String normaliseEmail(String raw) {
        requireText("email", raw);
        String email = raw.strip().toLowerCase(Locale.ROOT);
        int at = email.indexOf('@');
        if (email.isEmpty() || email.length() > MAX_EMAIL || at <= 0 || at != email.lastIndexOf('@')
                || at == email.length() - 1 || email.codePoints().anyMatch(c -> Character.isWhitespace(c)
                || Character.isISOControl(c))) {
            throw ApiException.badRequest("invalid_email", "email must be an address like name@example.org");
        }
        return email;
    }

    /** 400 {@code invalid_text} when {@code value} holds NUL or an unpaired surrogate. */
    public static void requireText(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw ApiException.badRequest("invalid_text", field + " must not contain NUL characters");
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiException.badRequest("invalid_text", field + " must not contain unpaired surrogates");
            }
        }
    }

    /** An optional profile value: null stays null, otherwise checked text up to {@link #MAX_PROFILE}. */
    public static String profile(String field, String value) {
        if (value == null) {
            return null;
        }
        requireText(field, value);
        if (value.length() > MAX_PROFILE) {
            throw ApiException.badRequest("invalid_field", field + " must be at most " + MAX_PROFILE + " characters");
        }
        return value;
    }
}
