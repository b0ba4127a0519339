package io.dataland.auth.password;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.password4j.Argon2Function;
import com.password4j.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Argon2id in the seed's PHC format (interoperable with argon2-cffi) on both engines, libargon2 through FFM
 * and the password4j fallback; the engine selection; the legacy sha256 path, the rules.
 */
class PasswordHasherTest {

    /** Written by argon2-cffi 21.1.0: PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4,
     * hash_len=32, salt_len=16, type=ID).hash("correct horse battery staple"). */
    private static final String CFFI_HASH =
            "$argon2id$v=19$m=65536,t=3,p=4$OhyDdJWek/ZYhcMDHk2/Ew$dx2Fq2ZLhvaBhZoUaOALJOwN1C43ScStUQfVIz1kwuc";
    private static final String PASSWORD = "correct horse battery staple";
    private static final List<String> NOWHERE = List.of("libargon2-not-installed.so.1", "/nonexistent/libargon2.so.1");

    private static final Map<String, PasswordHasher> HASHERS = new ConcurrentHashMap<>();

    /** The hasher on {@code impl} ({@code native} or {@code java}); a native run is skipped without libargon2. */
    private static PasswordHasher hasher(String impl) {
        if (impl.equals("native")) {
            assumeTrue(LibArgon2.load(LibArgon2.CANDIDATES, new ArrayList<>()).isPresent(),
                    "skipped: libargon2 is not installed (Debian: libargon2-1)");
        }
        return HASHERS.computeIfAbsent(impl, i -> new PasswordHasher(PasswordHasher.select(i, LibArgon2.CANDIDATES)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "java"})
    void newHashesAreArgon2idPhcStringsWithTheSeedsParameters(String impl) {
        PasswordHasher hasher = hasher(impl);
        String hash = hasher.hash(PASSWORD);
        assertTrue(hash.startsWith("$argon2id$v=19$m=65536,t=3,p=4$"), hash);
        String[] parts = hash.split("\\$");
        assertEquals(16, Base64.getDecoder().decode(pad(parts[4])).length, "salt bytes");
        assertEquals(32, Base64.getDecoder().decode(pad(parts[5])).length, "hash bytes");
        assertNotEquals(hash, hasher.hash(PASSWORD), "a fresh salt each time");
        assertEquals(PasswordHasher.Outcome.MATCH, hasher.verify(PASSWORD, hash, "argon2"));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify(PASSWORD + "!", hash, "argon2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "java"})
    void verifiesAHashWrittenByArgon2Cffi(String impl) {
        PasswordHasher hasher = hasher(impl);
        assertEquals(PasswordHasher.Outcome.MATCH, hasher.verify(PASSWORD, CFFI_HASH, "argon2"));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("Correct horse battery staple", CFFI_HASH, "argon2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "java"})
    void argon2CffiVerifiesOurHashesAndWeVerifyItsFreshOnes(String impl) throws Exception {
        PasswordHasher hasher = hasher(impl);
        String python = pythonWithArgon2();
        assumeTrue(python != null, "skipped: no python3 with argon2-cffi (Debian: python3-argon2) on this machine");
        String ours = hasher.hash("pässwörd from java");
        assertEquals("True", run(python, "import argon2,sys; from argon2 import PasswordHasher;"
                + " print(PasswordHasher().verify(sys.argv[1], sys.argv[2]))", ours, "pässwörd from java"));
        String theirs = run(python, "import sys; from argon2 import PasswordHasher, Type;"
                + " print(PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, hash_len=32, salt_len=16,"
                + " type=Type.ID).hash(sys.argv[1]))", "pässwörd from python");
        assertTrue(theirs.startsWith("$argon2id$v=19$m=65536,t=3,p=4$"), theirs);
        assertEquals(PasswordHasher.Outcome.MATCH, hasher.verify("pässwörd from python", theirs, "argon2"));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("passwörd from python", theirs, "argon2"));
    }

    @Test
    void bothEnginesWriteTheSameStringForTheSameSaltAndReadEachOthers() {
        Argon2Engine java = hasher("java").engine();
        Argon2Engine lib = hasher("native").engine();
        byte[] salt = "sixteen byte slt".getBytes(StandardCharsets.US_ASCII);
        byte[] password = "pässwörd".getBytes(StandardCharsets.UTF_8);
        String byLib = lib.hash(password, salt);
        assertEquals(byLib, java.hash(password, salt), "byte for byte the same PHC string");
        assertTrue(java.verify(password, byLib));
        assertTrue(lib.verify(password, java.hash(password, salt)));
        assertFalse(lib.verify("passwörd".getBytes(StandardCharsets.UTF_8), byLib));
    }

    @Test
    void password4jComputesTheKnownAnswerLibArgon2IsCheckedAgainst() {
        // LibArgon2.load refuses a library that does not compute this; the pure-Java engine must agree
        assertTrue(Password.check("password", LibArgon2.KNOWN_ANSWER)
                .with(Argon2Function.getInstanceFromHash(LibArgon2.KNOWN_ANSWER)));
        assertFalse(Password.check("passwort", LibArgon2.KNOWN_ANSWER)
                .with(Argon2Function.getInstanceFromHash(LibArgon2.KNOWN_ANSWER)));
    }

    @Test
    void autoFallsBackToPassword4jWhenTheLibraryIsMissingAndNativeRefusesToBoot() {
        assertInstanceOf(Password4jArgon2.class, PasswordHasher.select("auto", NOWHERE));
        assertInstanceOf(Password4jArgon2.class, PasswordHasher.select("", NOWHERE), "unset means auto");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> PasswordHasher.select("native", NOWHERE));
        assertTrue(refused.getMessage().contains("libargon2-1"), refused.getMessage());
        assertTrue(refused.getMessage().contains("libargon2-not-installed.so.1"), "names what was tried");
        assertInstanceOf(Password4jArgon2.class, PasswordHasher.select("java", LibArgon2.CANDIDATES),
                "java never loads the library");
        assertThrows(IllegalArgumentException.class, () -> PasswordHasher.select("fast", LibArgon2.CANDIDATES));
    }

    @Test
    void password4jIsRefusedAtBootInAHeapTooSmallForItsBlocks() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> PasswordHasher.requirePassword4jHeap(96));
        assertTrue(refused.getMessage().contains("328 MiB") && refused.getMessage().contains("libargon2-1"),
                refused.getMessage());
        PasswordHasher.requirePassword4jHeap(512); // room for the template and two hashes: no exception
    }

    @Test
    void autoTakesLibArgon2WhereItIsInstalledEvenAfterAMissingCandidate() {
        hasher("native"); // skipped without the library
        List<String> candidates = new ArrayList<>(NOWHERE);
        candidates.addAll(LibArgon2.CANDIDATES);
        Argon2Engine engine = PasswordHasher.select("AUTO", candidates);
        assertInstanceOf(LibArgon2.class, engine);
        assertEquals("libargon2 (FFM)", engine.name());
        assertFalse(engine.usesHeap());
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "java"})
    void aMalformedStoredHashNeverMatches(String impl) {
        PasswordHasher hasher = hasher(impl);
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("x", "$argon2id$garbage", "argon2"));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("x", "plain", "argon2"));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify(PASSWORD, CFFI_HASH + "\0", "argon2"));
        assertEquals(PasswordHasher.Outcome.MISMATCH,
                hasher.verify(PASSWORD, CFFI_HASH.replace("m=65536", "m=65536000000"), "argon2"));
    }

    @Test
    void legacyRowsVerifyAsSha256OfSaltAndPassword() {
        PasswordHasher hasher = hasher("java");
        String salt = "c0ffee";
        String hex = new String(PasswordHasher.sha256Hex(salt + "old password"), StandardCharsets.US_ASCII);
        assertEquals(64, hex.length());
        assertEquals(PasswordHasher.Outcome.MATCH_LEGACY, hasher.verify("old password", hex, salt));
        assertEquals(PasswordHasher.Outcome.MATCH_LEGACY, hasher.verify("old password", hex.toUpperCase(), salt));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("old passwort", hex, salt));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("old password", hex, "other salt"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "java"})
    void wrappedLegacyRowsVerifyThroughArgon2idOfTheSha256(String impl) {
        PasswordHasher hasher = hasher(impl);
        String salt = "c0ffee";
        String hex = new String(PasswordHasher.sha256Hex(salt + "old password"), StandardCharsets.US_ASCII);
        String wrapped = hasher.wrapLegacy(hex.toUpperCase());
        assertTrue(wrapped.startsWith("$wrapped-sha256$argon2id$v=19$m=65536,t=3,p=4$"), wrapped);
        assertFalse(wrapped.contains(hex) || wrapped.contains(hex.toUpperCase()), "the sha256 is not in the row");
        assertFalse(PasswordHasher.isLegacy(wrapped));
        assertEquals(PasswordHasher.Outcome.MATCH_LEGACY, hasher.verify("old password", wrapped, salt));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("old passwort", wrapped, salt));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("old password", wrapped, "other salt"));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("old password", "$wrapped-sha256$argon2id$garbage", salt));
        assertThrows(IllegalArgumentException.class, () -> hasher.wrapLegacy(wrapped), "only plain legacy hashes wrap");
    }

    @Test
    void passwordRulesFollowNist80063b() {
        assertNotNull(PasswordPolicy.problemForNew("1234567"));
        assertNull(PasswordPolicy.problemForNew("12345678"));
        assertNull(PasswordPolicy.problemForNew("😀😀😀😀😀😀😀😀"), "8 characters, even outside the BMP");
        assertNull(PasswordPolicy.problemForNew("all lower case words no digits"), "no composition rules");
        assertNull(PasswordPolicy.problemForNew("a".repeat(1024)));
        assertNotNull(PasswordPolicy.problemForNew("a".repeat(1025)));
        assertNotNull(PasswordPolicy.problemForNew("é".repeat(513)), "the cap counts UTF-8 bytes");
        assertNull(PasswordPolicy.problemForAny("short"), "login does not re-judge old passwords");
    }

    private static String pad(String base64) {
        return base64 + "=".repeat((4 - base64.length() % 4) % 4);
    }

    private static String pythonWithArgon2() {
        for (String python : List.of("/usr/bin/python3", "python3")) {
            try {
                if ("ok".equals(run(python, "import argon2; print('ok')"))) {
                    return python;
                }
            } catch (Exception e) {
                // try the next one
            }
        }
        return null;
    }

    private static String run(String python, String code, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(python, "-c", code));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(python + " failed: " + out);
        }
        return out;
    }
}
