package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataland.auth.token.KeyRing;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The RSA key pair: created on first boot with mode 0600, reused on restart; {@code rotate-keys} adds a
 * key that the running server starts signing with while old tokens keep verifying; {@code remove-key}
 * takes the old key out of the JWKS.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class KeyRotationTest {

    private static final Map<String, String> ENV = Map.of("AUTH_KEYS_RECHECK_MILLIS", "0");

    @Test
    void theFirstBootCreatesAPrivateKeyAndRestartsReuseIt(TestDatabase db) throws Exception {
        Path dataDir = Files.createTempDirectory("auth-data");
        String kid;
        try (AuthFixture auth = AuthFixture.start(db, dataDir, ENV)) {
            kid = kids(auth).get(0);
        }
        Path keys = dataDir.resolve(KeyRing.DIRECTORY);
        Path pem = keys.resolve(kid + ".pem");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pem)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
        assertTrue(Files.readString(pem).startsWith("-----BEGIN PRIVATE KEY-----"));
        try (AuthFixture again = AuthFixture.start(db, dataDir, ENV)) {
            assertEquals(List.of(kid), kids(again), "same key after a restart");
        }
    }

    @Test
    void rotationKeepsOldTokensValidUntilTheOldKeyIsRemoved(TestDatabase db) throws Exception {
        Path dataDir = Files.createTempDirectory("auth-data");
        try (AuthFixture auth = AuthFixture.start(db, dataDir, ENV)) {
            String oldToken = auth.signup("rot@example.org", "rotation password").get("access_token").asText();
            String oldKid = kidOf(oldToken);

            String out = command("rotate-keys", dataDir);
            String newKid = out.replaceFirst("^new signing key (\\S+) .*\\s*$", "$1").strip();
            assertNotEquals(oldKid, newKid);
            assertEquals(List.of(oldKid, newKid), kids(auth), "the running server serves both");

            String newToken = AuthFixture.json(auth.login("rot@example.org", "rotation password")).get("access_token").asText();
            assertEquals(newKid, kidOf(newToken), "new tokens use the new key without a restart");
            assertEquals(200, auth.get("/auth/me", "Authorization", "Bearer " + oldToken).statusCode());
            assertEquals(200, auth.get("/auth/me", "Authorization", "Bearer " + newToken).statusCode());

            assertTrue(command("list-keys", dataDir).contains(newKid + "  (current)"));
            assertEquals(1, run("remove-key", dataDir, newKid).status(), "the current key cannot be removed");
            command("remove-key", dataDir, oldKid);
            assertEquals(List.of(newKid), kids(auth));
            assertEquals(401, auth.get("/auth/me", "Authorization", "Bearer " + oldToken).statusCode());
            assertEquals(200, auth.get("/auth/me", "Authorization", "Bearer " + newToken).statusCode());
        }
    }

    private static List<String> kids(AuthFixture auth) {
        List<String> kids = new ArrayList<>();
        for (JsonNode key : AuthFixture.json(auth.get("/.well-known/jwks.json")).get("keys")) {
            kids.add(key.get("kid").asText());
        }
        return kids;
    }

    private static String kidOf(String token) {
        String header = new String(java.util.Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
                StandardCharsets.UTF_8);
        try {
            return AuthFixture.JSON.readTree(header).get("kid").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private record Outcome(int status, String out, String err) {
    }

    private static Outcome run(String command, Path dataDir, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KeysCommand.run(command, args, io.dataland.kit.config.Settings.load(
                Map.of("AUTH_DATA_DIR", dataDir.toString()), "application.yaml"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String command(String command, Path dataDir, String... args) {
        Outcome outcome = run(command, dataDir, args);
        assertEquals(0, outcome.status(), outcome.err());
        return outcome.out();
    }
}
