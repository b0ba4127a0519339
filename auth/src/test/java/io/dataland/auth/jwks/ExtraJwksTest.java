package io.dataland.auth.jwks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.List;

import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code extra_jwks.json}: read, refused when malformed or private, re-read on change. */
class ExtraJwksTest {

    private static KeyPair cms;
    private static KeyPair other;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        cms = rsa.generateKeyPair();
        other = rsa.generateKeyPair();
    }

    static String publicSet(String kid, KeyPair pair) {
        return "{\"keys\":[" + Jwks.json(Jwks.builder().key((RSAPublicKey) pair.getPublic()).id(kid)
                .algorithm("RS256").publicKeyUse("sig").build()) + "]}";
    }

    static String privateSet(String kid, KeyPair pair) {
        return "{\"keys\":[" + Jwks.UNSAFE_JSON(Jwks.builder().key((RSAPrivateKey) pair.getPrivate())
                .publicKey((RSAPublicKey) pair.getPublic()).id(kid).build()) + "]}";
    }

    @Test
    void readsTheMirroredCmsKey() throws Exception {
        Path dir = Files.createTempDirectory("auth-data");
        Files.writeString(dir.resolve(ExtraJwks.FILE), publicSet("dataland-rs256-1", cms));
        List<PublicJwk<?>> keys = ExtraJwks.open(dir, 0, true).keys();
        assertEquals(1, keys.size());
        assertEquals("dataland-rs256-1", keys.get(0).getId());
        assertEquals(cms.getPublic(), keys.get(0).toKey());
    }

    @Test
    void anAbsentFileIsNoKeys() throws Exception {
        assertEquals(List.of(), ExtraJwks.open(Files.createTempDirectory("auth-data"), 0, true).keys());
    }

    @Test
    void aMalformedFileFailsTheBootInProductionAndIsSkippedElsewhere() throws Exception {
        Path dir = Files.createTempDirectory("auth-data");
        Files.writeString(dir.resolve(ExtraJwks.FILE), "{\"keys\": [ {\"kty\": \"RSA\", \"n\": secretish");
        ExtraJwks.InvalidJwksException e = assertThrows(ExtraJwks.InvalidJwksException.class,
                () -> ExtraJwks.open(dir, 0, true));
        assertTrue(e.getMessage().contains("extra_jwks.json is not valid JSON (line 1"), e.getMessage());
        assertTrue(!e.getMessage().contains("secretish"), "the file's content is not quoted");
        assertEquals(List.of(), ExtraJwks.open(dir, 0, false).keys());

        Files.writeString(dir.resolve(ExtraJwks.FILE), "{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"x\"}]}");
        ExtraJwks.InvalidJwksException missing = assertThrows(ExtraJwks.InvalidJwksException.class,
                () -> ExtraJwks.open(dir, 0, true));
        assertTrue(missing.getMessage().contains("is not a valid JWK set"), missing.getMessage());
        Files.writeString(dir.resolve(ExtraJwks.FILE), "[]");
        assertThrows(ExtraJwks.InvalidJwksException.class, () -> ExtraJwks.open(dir, 0, true));
    }

    @Test
    void aFileCarryingAPrivateKeyIsRefusedWithoutEchoingIt() throws Exception {
        Path dir = Files.createTempDirectory("auth-data");
        Files.writeString(dir.resolve(ExtraJwks.FILE), privateSet("dataland-rs256-1", cms));
        ExtraJwks.InvalidJwksException e = assertThrows(ExtraJwks.InvalidJwksException.class,
                () -> ExtraJwks.open(dir, 0, true));
        assertTrue(e.getMessage().contains("carries private or secret key material"), e.getMessage());
        String d = AuthJson.member(privateSet("x", cms), "d");
        assertTrue(!e.getMessage().contains(d.substring(0, 20)), "the private exponent is not in the message");
        assertEquals(List.of(), ExtraJwks.open(dir, 0, false).keys());
    }

    @Test
    void aKeyWithoutKidIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("auth-data");
        Files.writeString(dir.resolve(ExtraJwks.FILE), "{\"keys\":[" + Jwks.json(Jwks.builder()
                .key((RSAPublicKey) cms.getPublic()).build()) + "]}");
        assertThrows(ExtraJwks.InvalidJwksException.class, () -> ExtraJwks.open(dir, 0, true));
    }

    @Test
    void changesArePickedUpWithoutRestart() throws Exception {
        Path dir = Files.createTempDirectory("auth-data");
        Path file = dir.resolve(ExtraJwks.FILE);
        ExtraJwks extra = ExtraJwks.open(dir, 0, true);
        assertEquals(0, extra.keys().size());

        Files.writeString(file, publicSet("dataland-rs256-1", cms));
        touch(file, 1);
        assertEquals("dataland-rs256-1", extra.keys().get(0).getId());

        Files.writeString(file, privateSet("dataland-rs256-1", cms));
        touch(file, 2);
        assertEquals(0, extra.keys().size(), "a bad edit is skipped, not served");

        Files.writeString(file, publicSet("dataland-rs256-2", other));
        touch(file, 3);
        assertEquals("dataland-rs256-2", extra.keys().get(0).getId());

        Files.delete(file);
        assertEquals(0, extra.keys().size());
    }

    private static void touch(Path file, int step) throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(step)));
    }

    /** Reads one member of the first key of a JWK set. */
    static final class AuthJson {
        static String member(String set, String name) throws Exception {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(set).get("keys").get(0).get(name).asText();
        }
    }
}
