package io.dataland.auth.password;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Argon2id in the seed's PHC format (interoperable with argon2-cffi), the legacy sha256 path, the rules. */
class PasswordHasherTest {

    /** Written by argon2-cffi 21.1.0: PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4,
     * hash_len=32, salt_len=16, type=ID).hash("correct horse battery staple"). */
    private static final String CFFI_HASH =
            "$argon2id$v=19$m=65536,t=3,p=4$OhyDdJWek/ZYhcMDHk2/Ew$dx2Fq2ZLhvaBhZoUaOALJOwN1C43ScStUQfVIz1kwuc";
    private static final String PASSWORD = "correct horse battery staple";

    private static PasswordHasher hasher;

    @BeforeAll
    static void create() {
        hasher = new PasswordHasher();
    }

    @Test
    void newHashesAreArgon2idPhcStringsWithTheSeedsParameters() {
        String hash = hasher.hash(PASSWORD);
        assertTrue(hash.startsWith("$argon2id$v=19$m=65536,t=3,p=4$"), hash);
        String[] parts = hash.split("\\$");
        assertEquals(16, Base64.getDecoder().decode(pad(parts[4])).length, "salt bytes");
        assertEquals(32, Base64.getDecoder().decode(pad(parts[5])).length, "hash bytes");
        assertNotEquals(hash, hasher.hash(PASSWORD), "a fresh salt each time");
        assertEquals(PasswordHasher.Outcome.MATCH, hasher.verify(PASSWORD, hash, "argon2"));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify(PASSWORD + "!", hash, "argon2"));
    }

    @Test
    void verifiesAHashWrittenByArgon2Cffi() {
        assertEquals(PasswordHasher.Outcome.MATCH, hasher.verify(PASSWORD, CFFI_HASH, "argon2"));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("Correct horse battery staple", CFFI_HASH, "argon2"));
    }

    @Test
    void argon2CffiVerifiesOurHashesAndWeVerifyItsFreshOnes() throws Exception {
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
    }

    @Test
    void legacyRowsVerifyAsSha256OfSaltAndPassword() {
        String salt = "c0ffee";
        String hex = new String(PasswordHasher.sha256Hex(salt + "old password"), StandardCharsets.US_ASCII);
        assertEquals(64, hex.length());
        assertEquals(PasswordHasher.Outcome.MATCH_LEGACY, hasher.verify("old password", hex, salt));
        assertEquals(PasswordHasher.Outcome.MATCH_LEGACY, hasher.verify("old password", hex.toUpperCase(), salt));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("old passwort", hex, salt));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("old password", hex, "other salt"));
    }

    @Test
    void aMalformedStoredHashNeverMatches() {
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("x", "$argon2id$garbage", "argon2"));
        assertEquals(PasswordHasher.Outcome.MISMATCH, hasher.verify("x", "plain", "argon2"));
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
