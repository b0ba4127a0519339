package io.dataland.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import io.dataland.agent.testing.JwksServer;
import io.dataland.agent.testing.TokenMint;
import io.dataland.kit.http.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token trust per key source over a real JWKS endpoint: the auth server's own keys answer to
 * JWT_ISSUER, mirrored CMS keys (marked in the served JWKS, or from JWKS_FILE) to CMS_JWT_ISSUER /
 * CMS_JWT_AUDIENCE; future iat and over-long lifetimes are refused; the fetch is capped and plain http
 * is for internal hosts only.
 */
class TokenTrustTest {

    private static final TokenMint AUTH = TokenMint.create("auth-rs256-1");
    private static final TokenMint MIRRORED = TokenMint.create("dataland-rs256-1");
    private static final TokenMint FILE = TokenMint.create("cms-file-1");

    /** The JWK of {@code mint} as the auth server serves a key of {@code extra_jwks.json}. */
    private static String marked(TokenMint mint) {
        return "{\"" + JwksKeys.SOURCE_MEMBER + "\":\"" + JwksKeys.SOURCE_EXTRA + "\"," + mint.jwk().substring(1);
    }

    private static JwksKeys keys(JwksServer server, Path dir) throws Exception {
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, TokenMint.jwks(FILE));
        return new JwksKeys(server.url(), file, Duration.ofSeconds(30), Duration.ofMinutes(5), Clock.systemUTC()).start();
    }

    @Test
    void eachKeySourceAnswersToItsOwnIssuerAndAudience(@TempDir Path dir) throws Exception {
        try (JwksServer server = JwksServer.start("{\"keys\":[" + AUTH.jwk() + "," + marked(MIRRORED) + "]}")) {
            JwtVerifier verifier = new JwtVerifier(keys(server, dir), new JwtVerifier.Trust("dataland-auth", null),
                    new JwtVerifier.Trust("https://cms.dataland", "dataland"), 30, Duration.ofHours(24),
                    Duration.ZERO, Clock.systemUTC());
            assertEquals("u", verifier.verify(AUTH.builder("u").issuer("dataland-auth").compact()).sub());
            assertRefused(verifier, AUTH.builder("u").issuer("https://cms.dataland").audience().add("dataland").and()
                    .compact(), "the auth key cannot mint tokens passing as the CMS's");
            for (TokenMint cms : new TokenMint[] {MIRRORED, FILE}) {
                assertEquals("c", verifier.verify(cms.builder("c").issuer("https://cms.dataland")
                        .audience().add("dataland").and().compact()).sub());
                assertRefused(verifier, cms.builder("c").issuer("dataland-auth").compact(),
                        "a CMS key cannot mint tokens passing as the auth server's");
                assertRefused(verifier, cms.builder("c").issuer("https://cms.dataland").compact(), "CMS audience");
            }
        }
    }

    @Test
    void bindingOneIssuerNeverLocksOutTheOther(@TempDir Path dir) throws Exception {
        try (JwksServer server = JwksServer.start("{\"keys\":[" + AUTH.jwk() + "," + marked(MIRRORED) + "]}")) {
            JwtVerifier authBound = new JwtVerifier(keys(server, dir), new JwtVerifier.Trust("dataland-auth", null),
                    JwtVerifier.Trust.ANY, 30, Duration.ofHours(24), Duration.ZERO, Clock.systemUTC());
            assertEquals("c", authBound.verify(MIRRORED.builder("c").issuer("https://cms.dataland").compact()).sub());
            assertEquals("f", authBound.verify(FILE.token("f")).sub());
            assertRefused(authBound, AUTH.token("u"), "the auth key's tokens need JWT_ISSUER");
        }
    }

    @Test
    void futureIatAndOverlongLifetimesAreRefused(@TempDir Path dir) throws Exception {
        try (JwksServer server = JwksServer.start(TokenMint.jwks(AUTH))) {
            JwtVerifier verifier = new JwtVerifier(keys(server, dir), JwtVerifier.Trust.ANY, JwtVerifier.Trust.ANY,
                    30, Duration.ofHours(24), Duration.ZERO, Clock.systemUTC());
            Instant now = Instant.now();
            assertRefused(verifier, AUTH.builder("u").issuedAt(Date.from(now.plusSeconds(120)))
                    .expiration(Date.from(now.plusSeconds(3600))).compact(), "iat past the leeway");
            assertEquals("u", verifier.verify(AUTH.builder("u").issuedAt(Date.from(now.plusSeconds(10)))
                    .expiration(Date.from(now.plusSeconds(3600))).compact()).sub(), "iat within the leeway");
            assertRefused(verifier, AUTH.builder("u").issuedAt(Date.from(now))
                    .expiration(Date.from(now.plus(Duration.ofHours(25)))).compact(), "lives 25 h");
            assertRefused(verifier, AUTH.builder("u").issuedAt(null)
                    .expiration(Date.from(now.plus(Duration.ofDays(30)))).compact(), "no iat, exp a month away");
            assertEquals("u", verifier.verify(AUTH.builder("u").issuedAt(Date.from(now.minusSeconds(60)))
                    .expiration(Date.from(now.plus(Duration.ofHours(23)))).compact()).sub(), "24 h exactly is fine");
        }
    }

    @Test
    void anOversizedJwksAnswerIsRefusedAndTheLastKeysKept() {
        StringBuilder pad = new StringBuilder();
        while (pad.length() <= JwksKeys.MAX_BODY_BYTES) {
            pad.append("padding-padding-padding-padding-");
        }
        try (JwksServer server = JwksServer.start("{\"keys\":[" + AUTH.jwk() + "],\"pad\":\"" + pad + "\"}")) {
            JwksKeys keys = new JwksKeys(server.url(), null, Duration.ZERO, Duration.ofMinutes(5), Clock.systemUTC());
            assertNull(keys.find("auth-rs256-1"), "a body over 64 KiB is not parsed");
            server.serve(TokenMint.jwks(AUTH));
            assertNotNull(keys.find("auth-rs256-1"), "a normal answer is");
        }
    }

    @Test
    void plainHttpOnlyToLoopbackOrSingleLabelHosts() {
        for (String ok : new String[] {"https://auth.example.org/.well-known/jwks.json",
                "http://dataland-auth:8001/.well-known/jwks.json", "http://127.0.0.1:9/jwks.json",
                "http://localhost/jwks.json", "http://[::1]:8001/jwks.json"}) {
            assertEquals(URI.create(ok), JwksKeys.checkedUrl(URI.create(ok)));
        }
        for (String bad : new String[] {"http://auth.example.org/.well-known/jwks.json", "http://10.0.0.5/jwks.json",
                "ftp://dataland-auth/jwks.json", "file:///etc/jwks.json", "http://[2001:db8::1]/jwks.json"}) {
            assertThrows(IllegalArgumentException.class, () -> JwksKeys.checkedUrl(URI.create(bad)), bad);
        }
    }

    private static void assertRefused(JwtVerifier verifier, String token, String why) {
        ApiException e = assertThrows(ApiException.class, () -> verifier.verify(token), why);
        assertEquals(401, e.status().code(), why);
    }
}
