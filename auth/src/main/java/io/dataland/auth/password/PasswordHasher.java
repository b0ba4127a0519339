package io.dataland.auth.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/**
 * Password hashes as the seed stores them: new ones Argon2id (m=64 MiB, t=3, p=4, 16-byte salt, 32-byte
 * hash, version 19) as a PHC string with {@code salt = 'argon2'}, the same string argon2-cffi writes and
 * reads; legacy ones a 64-hex {@code sha256(salt + password)} with the salt in its own column.
 *
 * <p>Every verification costs one Argon2id computation, whatever the row: an unknown email verifies
 * against a fixed dummy hash, and a legacy row pays one dummy Argon2id after its (cheap) sha256 check,
 * so neither the existence of an account nor the age of its hash shows in the response time.
 */
public final class PasswordHasher {

    /** The {@code salt} column value of an Argon2id row. */
    public static final String ARGON2_SALT = "argon2";

    /** The parameters every new hash uses. */
    public static final Argon2Function ARGON2ID = Argon2Function.getInstance(65536, 3, 4, 32, Argon2.ID, 19);

    private static final int SALT_BYTES = 16;
    private static final Pattern LEGACY = Pattern.compile("[0-9a-fA-F]{64}");

    private final String dummyHash;

    /** A hasher with a dummy hash of a random password (one Argon2id computation). */
    public PasswordHasher() {
        this.dummyHash = hash(UUID.randomUUID().toString());
    }

    /** What a verification found. */
    public enum Outcome {
        /** The password does not match (or the account does not exist). */
        MISMATCH,
        /** Matches an Argon2id hash. */
        MATCH,
        /** Matches a legacy sha256 hash: the caller re-hashes it. */
        MATCH_LEGACY
    }

    /** A new Argon2id PHC string for {@code password}. */
    public String hash(String password) {
        return Password.hash(password).addRandomSalt(SALT_BYTES).with(ARGON2ID).getResult();
    }

    /** Checks {@code password} against a stored row ({@code hash}, {@code salt}). */
    public Outcome verify(String password, String hash, String salt) {
        if (hash != null && LEGACY.matcher(hash).matches()) {
            boolean match = MessageDigest.isEqual(sha256Hex(salt + password), hash.toLowerCase(java.util.Locale.ROOT)
                    .getBytes(StandardCharsets.US_ASCII));
            if (!match) {
                verifyArgon2(password, dummyHash); // same cost as an Argon2id row
            }
            return match ? Outcome.MATCH_LEGACY : Outcome.MISMATCH;
        }
        if (hash == null || !hash.startsWith("$argon2")) {
            verifyArgon2(password, dummyHash);
            return Outcome.MISMATCH;
        }
        return verifyArgon2(password, hash) ? Outcome.MATCH : Outcome.MISMATCH;
    }

    /** The same work as a real verification, for an email that has no account. */
    public void verifyDummy(String password) {
        verifyArgon2(password, dummyHash);
    }

    private static boolean verifyArgon2(String password, String phc) {
        try {
            return Password.check(password, phc).with(Argon2Function.getInstanceFromHash(phc));
        } catch (RuntimeException e) {
            return false; // a malformed stored hash never matches
        }
    }

    /** {@code sha256(text)} as lower-case hex ASCII bytes: the legacy scheme. */
    static byte[] sha256Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
