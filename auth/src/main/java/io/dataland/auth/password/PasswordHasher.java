package io.dataland.auth.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Password hashes as the seed stores them: new ones Argon2id (m=64 MiB, t=3, p=4, 16-byte salt, 32-byte
 * hash, version 19) as a PHC string with {@code salt = 'argon2'}, the same string argon2-cffi writes and
 * reads; legacy ones a 64-hex {@code sha256(salt + password)} with the salt in its own column.
 *
 * <p>A third form is a legacy hash wrapped by {@code auth.jar wrap-legacy-hashes}: {@value #WRAPPED_PREFIX}
 * followed by the Argon2id PHC string of the legacy hex (lower case, as ASCII), the legacy salt kept in its
 * column. A stolen wrapped row costs an attacker an Argon2id per guess, like any other; a login checks
 * {@code sha256(salt + password)} against it through that Argon2id and then re-hashes the password plainly.
 *
 * <p>Every verification costs one Argon2id computation, whatever the row: an unknown email verifies
 * against a fixed dummy hash, and a legacy row pays one dummy Argon2id after its (cheap) sha256 check,
 * so neither the existence of an account nor the age of its hash shows in the response time.
 *
 * <p>The Argon2id itself comes from an {@link Argon2Engine}: libargon2 through FFM where the library is
 * installed, password4j otherwise ({@link #select}).
 */
public final class PasswordHasher {

    private static final Logger LOG = Logger.getLogger(PasswordHasher.class.getName());

    /** The {@code salt} column value of an Argon2id row. */
    public static final String ARGON2_SALT = "argon2";

    /**
     * How a wrapped legacy hash starts: a PHC-like identifier in front of the PHC string's own
     * {@code $argon2id$...}, so the result reads {@code $wrapped-sha256$argon2id$v=19$m=65536,t=3,p=4$salt$hash}.
     */
    public static final String WRAPPED_PREFIX = "$wrapped-sha256";

    /**
     * The smallest heap password4j's Argon2id works in: its 64 MiB template per parameter set, one
     * computation's 64 MiB (+ 8 MiB of headroom) and ~120 MiB for the server itself.
     */
    public static final long PASSWORD4J_MIN_HEAP_MIB = 256 + 72;

    private static final int SALT_BYTES = 16;
    private static final Pattern LEGACY = Pattern.compile("[0-9a-fA-F]{64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Argon2Engine engine;
    private final String dummyHash;

    /** A hasher on the best engine this machine has ({@code auto}). */
    public PasswordHasher() {
        this(select("auto", LibArgon2.CANDIDATES));
    }

    /** A hasher on {@code engine}, with a dummy hash of a random password (one Argon2id computation). */
    public PasswordHasher(Argon2Engine engine) {
        this.engine = engine;
        this.dummyHash = hash(UUID.randomUUID().toString());
    }

    /**
     * The engine {@code mode} asks for ({@code ARGON2_IMPL}): {@code auto} libargon2 when one of
     * {@code candidates} loads, else password4j; {@code native} libargon2 or an exception (production
     * images, where a silent fallback would need a heap they do not have); {@code java} password4j.
     * Logs the choice. Password4j in a heap too small for it is refused here rather than failing with
     * an out-of-memory on the first login.
     */
    public static Argon2Engine select(String mode, List<String> candidates) {
        String normalised = mode == null || mode.isBlank() ? "auto" : mode.strip().toLowerCase(Locale.ROOT);
        if (!List.of("auto", "native", "java").contains(normalised)) {
            throw new IllegalArgumentException("ARGON2_IMPL must be auto, native or java, not " + mode);
        }
        List<String> reasons = new ArrayList<>();
        if (!normalised.equals("java")) {
            LibArgon2 lib = LibArgon2.load(candidates, reasons).orElse(null);
            if (lib != null) {
                LOG.info(() -> "argon2 implementation: libargon2 (FFM), " + lib.library());
                return lib;
            }
            if (normalised.equals("native")) {
                throw new IllegalStateException("ARGON2_IMPL=native but libargon2 did not load (install"
                        + " libargon2-1): " + String.join("; ", reasons));
            }
            LOG.fine(() -> "libargon2 lookup: " + String.join("; ", reasons));
        }
        LOG.info("argon2 implementation: password4j (" + (normalised.equals("java") ? "ARGON2_IMPL=java"
                : "libargon2 not found") + ")");
        requirePassword4jHeap(Runtime.getRuntime().maxMemory() >> 20); // before its 64 MiB template exists
        return new Password4jArgon2();
    }

    /** Refuses password4j in a heap of {@code heapMib}, too small for its blocks, with the fix in the message. */
    static void requirePassword4jHeap(long heapMib) {
        if (heapMib < PASSWORD4J_MIN_HEAP_MIB) {
            throw new IllegalStateException("password4j's Argon2id needs a heap of at least " + PASSWORD4J_MIN_HEAP_MIB
                    + " MiB (-Xmx), this JVM has " + heapMib + " MiB: install libargon2-1 or raise -Xmx");
        }
    }

    /** The engine this hasher computes with. */
    public Argon2Engine engine() {
        return engine;
    }

    /** What a verification found. */
    public enum Outcome {
        /** The password does not match (or the account does not exist). */
        MISMATCH,
        /** Matches an Argon2id hash. */
        MATCH,
        /** Matches a legacy sha256 hash, plain or wrapped: the caller re-hashes it. */
        MATCH_LEGACY
    }

    /** A new Argon2id PHC string for {@code password}. */
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return engine.hash(password.getBytes(StandardCharsets.UTF_8), salt);
    }

    /** Whether {@code hash} is a plain legacy sha256 hash (64 hex digits), the rows the wrap replaces. */
    public static boolean isLegacy(String hash) {
        return hash != null && LEGACY.matcher(hash).matches();
    }

    /** The wrapped form of the legacy hash {@code legacyHex}: one Argon2id computation over its hex. */
    public String wrapLegacy(String legacyHex) {
        if (!isLegacy(legacyHex)) {
            throw new IllegalArgumentException("not a legacy sha256 hash");
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return WRAPPED_PREFIX + engine.hash(legacyHex.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII), salt);
    }

    /** Checks {@code password} against a stored row ({@code hash}, {@code salt}). */
    public Outcome verify(String password, String hash, String salt) {
        if (hash != null && hash.startsWith(WRAPPED_PREFIX + "$argon2")) {
            // one Argon2id, like any other row: over the legacy hex the password would have had
            boolean match = engine.verify(sha256Hex(salt + password), hash.substring(WRAPPED_PREFIX.length()));
            return match ? Outcome.MATCH_LEGACY : Outcome.MISMATCH;
        }
        if (isLegacy(hash)) {
            boolean match = MessageDigest.isEqual(sha256Hex(salt + password), hash.toLowerCase(Locale.ROOT)
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

    private boolean verifyArgon2(String password, String phc) {
        return engine.verify(password.getBytes(StandardCharsets.UTF_8), phc);
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
