package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.jsonwebtoken.security.Jwks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The JWKS route serves the mirrored CMS key next to our own and follows edits of the file. */
@ExtendWith(EmbeddedPostgresExtension.class)
class ExtraJwksServingTest {

    @Test
    void theJwksFollowsExtraJwksJsonWithoutRestart(TestDatabase db) throws Exception {
        Path dataDir = Files.createTempDirectory("auth-data");
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        RSAPublicKey cms = (RSAPublicKey) rsa.generateKeyPair().getPublic();
        Path file = dataDir.resolve("extra_jwks.json");
        Files.writeString(file, "{\"keys\":[" + Jwks.json(Jwks.builder().key(cms).id("dataland-rs256-1")
                .algorithm("RS256").publicKeyUse("sig").build()) + "]}");
        try (AuthFixture auth = AuthFixture.start(db, dataDir, Map.of("AUTH_KEYS_RECHECK_MILLIS", "0"))) {
            List<String> kids = kids(auth);
            assertEquals(2, kids.size());
            assertTrue(kids.get(0).startsWith("auth-rs256-"));
            assertEquals("dataland-rs256-1", kids.get(1));
            JsonNode served = AuthFixture.json(auth.get("/.well-known/jwks.json")).get("keys");
            assertEquals("extra", served.get(1).path("dataland_source").asText(),
                    "a mirrored key is marked, so the agent binds it to the CMS issuer");
            assertTrue(served.get(0).path("dataland_source").isMissingNode(), "our own key is not");

            Files.writeString(file, "not json at all");
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
            assertEquals(1, kids(auth).size(), "a malformed edit is skipped with a warning");

            Files.writeString(file, "{\"keys\":[" + Jwks.json(Jwks.builder().key(cms).id("dataland-rs256-1").build()) + "]}");
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
            assertEquals("dataland-rs256-1", kids(auth).get(1), "and a good one is served again");
        }
    }

    @Test
    void productionRefusesToBootWithAPrivateKeyInTheFile(TestDatabase db) throws Exception {
        Path dataDir = Files.createTempDirectory("auth-data");
        Files.writeString(dataDir.resolve("extra_jwks.json"),
                "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"shared\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA\"}]}");
        var settings = AuthFixture.settings(db, dataDir, Map.of("APP_ENV", "production"));
        // the boot step after the DDL (the credential guard would refuse this loopback test database first)
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> AuthServer.Parts.create(settings, null));
        assertTrue(e.getMessage().contains("carries private or secret key material"), e.getMessage());
        assertTrue(!e.getMessage().contains("c2VjcmV0"), "the secret is not quoted");
    }

    private static List<String> kids(AuthFixture auth) {
        List<String> kids = new ArrayList<>();
        for (JsonNode key : AuthFixture.json(auth.get("/.well-known/jwks.json")).get("keys")) {
            kids.add(key.get("kid").asText());
        }
        return kids;
    }
}
