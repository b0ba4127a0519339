package io.dataland.auth.password;

import java.nio.charset.StandardCharsets;

/**
 * Password rules in the spirit of NIST SP 800-63B: at least {@value #MIN_CHARACTERS} characters
 * (Unicode code points), long passphrases welcome, no composition rules, and a byte cap
 * ({@value #MAX_BYTES} UTF-8 bytes) so no request makes the server hash megabytes.
 */
public final class PasswordPolicy {

    /** Minimum length in code points. */
    public static final int MIN_CHARACTERS = 8;
    /** Maximum length in UTF-8 bytes. */
    public static final int MAX_BYTES = 1024;

    private PasswordPolicy() {
    }

    /** Why {@code password} is refused for a new account, or {@code null} when it is acceptable. */
    public static String problemForNew(String password) {
        if (password.codePointCount(0, password.length()) < MIN_CHARACTERS) {
            return "password must be at least " + MIN_CHARACTERS + " characters";
        }
        return problemForAny(password);
    }

    /** Why {@code password} cannot even be checked (over the byte cap), or {@code null}. */
    public static String problemForAny(String password) {
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "password must be at most " + MAX_BYTES + " bytes";
        }
        return null;
    }
}
