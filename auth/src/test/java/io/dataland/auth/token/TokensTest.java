package io.dataland.auth.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issued tokens carry the documented claims; anything not signed by the ring, expired or foreign is refused. */
class TokensTest {

    private static KeyRing ring;
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);

    @BeforeAll
    static void keys() throws Exception {
        ring = KeyRing.open(Files.createTempDirectory("auth-data"), 0);
    }

    @Test
    void tokensCarryKidSubEmailIatExpIssAndAud() {
        Tokens tokens = new Tokens(ring, Duration.ofMinutes(10), "https://auth.test", "dataland-agent", NOW);
        Tokens.Issued issued = tokens.issue("sub-1", "a@example.org");
        assertEquals(600, issued.expiresIn());
        var jws = Jwts.parser().verifyWith(ring.current().publicKey()).clock(() -> Date.from(NOW.instant())).build()
                .parseSignedClaims(issued.token());
        assertEquals(ring.current().kid(), jws.getHeader().getKeyId());
        assertEquals("RS256", jws.getHeader().getAlgorithm());
        Claims claims = jws.getPayload();
        assertEquals("sub-1", claims.getSubject());
        assertEquals("a@example.org", claims.get("email", String.class));
        assertEquals("https://auth.test", claims.getIssuer());
        assertTrue(claims.getAudience().contains("dataland-agent"));
        assertEquals(NOW.instant(), claims.getIssuedAt().toInstant());
        assertEquals(NOW.instant().plusSeconds(600), claims.getExpiration().toInstant());
        assertEquals("sub-1", tokens.verify(issued.token()).orElseThrow().getSubject());
    }

    @Test
    void foreignExpiredAndUnsignedTokensAreRefused() throws Exception {
        Tokens tokens = new Tokens(ring, Duration.ofMinutes(10), "https://auth.test", null, NOW);
        String good = tokens.issue("sub-2", "b@example.org").token();

        Tokens later = new Tokens(ring, Duration.ofMinutes(10), "https://auth.test", null,
                Clock.offset(NOW, Duration.ofMinutes(11)));
        assertTrue(later.verify(good).isEmpty(), "expired");
        assertTrue(new Tokens(ring, Duration.ofMinutes(10), "https://other.test", null, NOW).verify(good).isEmpty(),
                "another issuer");
        assertTrue(new Tokens(ring, Duration.ofMinutes(10), "https://auth.test", "dataland-agent", NOW).verify(good)
                .isEmpty(), "no audience when one is required");

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String forged = Jwts.builder().header().keyId(ring.current().kid()).and().subject("sub-2")
                .issuer("https://auth.test").expiration(Date.from(NOW.instant().plusSeconds(60)))
                .signWith(rsa.generateKeyPair().getPrivate(), Jwts.SIG.RS256).compact();
        assertTrue(tokens.verify(forged).isEmpty(), "signed by a key that is not ours");
        String unsigned = Jwts.builder().subject("sub-2").issuer("https://auth.test")
                .expiration(Date.from(NOW.instant().plusSeconds(60))).compact();
        assertTrue(tokens.verify(unsigned).isEmpty(), "alg none");
        String noExp = Jwts.builder().header().keyId(ring.current().kid()).and().subject("sub-2")
                .issuer("https://auth.test").signWith(ring.current().privateKey(), Jwts.SIG.RS256).compact();
        assertTrue(tokens.verify(noExp).isEmpty(), "exp is required");
    }
}
