package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataland.auth.token.KeyRing;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.jsonwebtoken.Jwts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code import-key}: the old auth server's RSA key (PKCS#1 or PKCS#8 PEM) becomes the current signing key
 * under its old kid, so a token it issued before the switch keeps verifying against the new JWKS and new
 * tokens carry the same kid; and the data-folder ownership check that reports a foreign volume with its fix.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ImportKeyTest {

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The PKCS#1 RSAPrivateKey inside a 2048-bit key's PKCS#8 encoding (what `openssl genrsa -traditional` writes). */
    private static byte[] pkcs1(KeyPair pair) {
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        assertEquals(0x04, pkcs8[22], "OCTET STRING at 22 in a 2048-bit PKCS#8 key");
        return java.util.Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
    }

    private record Outcome(int status, String out, String err) {
    }

    private static Outcome run(Path dataDir, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KeysCommand.run("import-key", args, io.dataland.kit.config.Settings.load(
                        Map.of("AUTH_DATA_DIR", dataDir.toString()), "application.yaml"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aPkcs1KeyImportedUnderItsOldKidKeepsOldTokensValidAndSignsNewOnes(TestDatabase db) throws Exception {
        KeyPair old = rsa();
        Path dir = Files.createTempDirectory("import");
        Path file = Files.writeString(dir.resolve("old-auth.pem"), pem("RSA PRIVATE KEY", pkcs1(old)));
        Path dataDir = dir.resolve("data");
        Outcome imported = run(dataDir, "--pem", file.toString(), "--kid", "dataland-auth-1");
        assertEquals(0, imported.status(), imported.err());
        assertTrue(imported.out().contains("signing key dataland-auth-1 imported and current"), imported.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                dataDir.resolve(KeyRing.DIRECTORY).resolve("dataland-auth-1.pem"))));

        try (AuthFixture auth = AuthFixture.start(db, dataDir, Map.of())) {
            JsonNode keys = AuthFixture.json(auth.get("/.well-known/jwks.json")).get("keys");
            assertEquals(1, keys.size(), "no second key was made on first boot: " + keys);
            assertEquals("dataland-auth-1", keys.get(0).get("kid").asText());
            BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode(keys.get(0).get("n").asText()));
            assertEquals(((RSAPublicKey) old.getPublic()).getModulus(), n, "the JWKS serves the old public key");

            // a token the old server issued before the switch verifies with what the JWKS now serves
            String before = Jwts.builder().header().keyId("dataland-auth-1").and().subject("staff-1")
                    .expiration(new Date(System.currentTimeMillis() + 600_000)).signWith(old.getPrivate()).compact();
            BigInteger e = new BigInteger(1, Base64.getUrlDecoder().decode(keys.get(0).get("e").asText()));
            RSAPublicKey served = (RSAPublicKey) java.security.KeyFactory.getInstance("RSA")
                    .generatePublic(new java.security.spec.RSAPublicKeySpec(n, e));
            Jwts.parser().verifyWith(served)
                    .build().parseSignedClaims(before);

            // and new tokens are signed by the same key under the same kid
            String token = auth.signup("staff@example.org", "correct horse battery").get("access_token").asText();
            assertEquals("dataland-auth-1", Jwts.parser().verifyWith((RSAPublicKey) old.getPublic()).build()
                    .parseSignedClaims(token).getHeader().getKeyId());
        }
    }

    @Test
    void aPkcs8KeyWithoutKidGetsAStableOneAndConflictsAreRefused() throws Exception {
        KeyPair old = rsa();
        Path dir = Files.createTempDirectory("import8");
        Path file = Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", old.getPrivate().getEncoded()));
        Path dataDir = dir.resolve("data");
        Outcome first = run(dataDir, "--pem", file.toString());
        assertEquals(0, first.status(), first.err());
        String kid = first.out().replaceFirst("^signing key (\\S+) .*\\s*$", "$1").strip();
        assertTrue(kid.matches("imported-[0-9a-f]{16}"), kid);
        Outcome again = run(dataDir, "--pem", file.toString());
        assertEquals(0, again.status(), again.err());
        assertTrue(again.out().contains(kid), "same key, same kid: " + again.out());
        assertEquals(kid, Files.readString(dataDir.resolve(KeyRing.DIRECTORY).resolve("current")).strip());
        assertArrayEquals(old.getPrivate().getEncoded(), Base64.getMimeDecoder().decode(Files.readString(
                dataDir.resolve(KeyRing.DIRECTORY).resolve(kid + ".pem")).replaceAll("-----[A-Z ]+-----", "")));

        Path other = Files.writeString(dir.resolve("other.pem"), pem("PRIVATE KEY", rsa().getPrivate().getEncoded()));
        Outcome clash = run(dataDir, "--pem", other.toString(), "--kid", kid);
        assertEquals(1, clash.status());
        assertTrue(clash.err().contains("a different key is already stored as " + kid), clash.err());

        Path encrypted = Files.writeString(dir.resolve("enc.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        Outcome enc = run(dataDir, "--pem", encrypted.toString());
        assertEquals(1, enc.status());
        assertTrue(enc.err().contains("decrypt it first"), enc.err());
        Path cert = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertTrue(run(dataDir, "--pem", cert.toString()).err().contains("not an RSA private key PEM"));
        assertEquals(2, run(dataDir, "--kid", "x").status());
        assertEquals(2, run(dataDir, "--pem").status());
        Outcome badKid = run(dataDir, "--pem", file.toString(), "--kid", "../evil");
        assertEquals(1, badKid.status());
        assertTrue(badKid.err().contains("not a key id"), badKid.err());
    }

    @Test
    void aDataFolderOwnedBySomeoneElseIsReportedWithTheFix() throws Exception {
        Path dataDir = Files.createTempDirectory("foreign");
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        int owner = (Integer) Files.getAttribute(dataDir, "unix:uid");
        int group = (Integer) Files.getAttribute(dataDir, "unix:gid");
        int other = owner + 4242;

        DataDir.UnusableException e = assertThrows(DataDir.UnusableException.class, () -> DataDir.require(dataDir, other, other));
        assertTrue(e.getMessage().contains("AUTH_DATA_DIR " + dataDir + " is not usable by this process (uid " + other), e.getMessage());
        assertTrue(e.getMessage().contains("cannot write " + dataDir + " (owner " + owner + ":" + group + ", mode rwx------)"), e.getMessage());
        assertTrue(e.getMessage().contains("chown -R " + other + ":" + other + " " + dataDir), e.getMessage());
        DataDir.require(dataDir, owner, group); // the owner is fine

        // a folder others may use, but a key file inside only its owner may read
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path keys = Files.createDirectories(dataDir.resolve(KeyRing.DIRECTORY));
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path current = Files.writeString(keys.resolve("current"), "k1");
        Files.setPosixFilePermissions(current, PosixFilePermissions.fromString("rw-------"));
        DataDir.UnusableException file = assertThrows(DataDir.UnusableException.class, () -> DataDir.require(dataDir, other, other));
        assertTrue(file.getMessage().contains("cannot read " + current), file.getMessage());
        assertFalse(file.getMessage().contains("Exception"), "a message, not a trace: " + file.getMessage());
        Files.setPosixFilePermissions(current, PosixFilePermissions.fromString("rw-r--r--"));
        DataDir.require(dataDir, other, other);
    }
}
