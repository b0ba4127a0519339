package io.dataland.agent.security;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.dataland.agent.testing.TokenMint;
import io.dataland.kit.http.ApiException;
import io.dataland.testkit.MutableClock;
import io.jsonwebtoken.Jwts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.dataland.agent.testing.TokenMint.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every forged or broken token is refused with 401; a real RS256 token from a trusted kid passes. */
class JwtVerifierTest {

    private static TokenMint trusted;
    private static TokenMint stranger;
    private static JwtVerifier verifier;
    private static JwtVerifier strict;

    @BeforeAll
    static void keys(@TempDir Path dir) throws Exception {
        trusted = TokenMint.create("trusted-1");
        stranger = TokenMint.create("stranger-1");
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, TokenMint.jwks(trusted));
        JwksKeys keys = new JwksKeys(null, file, Duration.ofSeconds(30), Duration.ofMinutes(5), Clock.systemUTC()).start();
        verifier = new JwtVerifier(keys, null, null, 30);
        strict = new JwtVerifier(keys, "https://auth.dataland", "dataland-agent", 30);
    }

    @Test
    void acceptsValidTokenAndReadsProfileClaims() {
        String token = trusted.token("user-1", Map.of("email", "a@b.c", "full_name", "Ada",
                "access_permissions", List.of("museum", "staff"), "joined_date", "2026-01-02T03:04:05Z"));
        Caller caller = verifier.verify(token);
        assertEquals("user-1", caller.sub());
        assertEquals("a@b.c", caller.email());
        assertEquals("Ada", caller.fullName());
        assertEquals("[\"museum\",\"staff\"]", caller.accessPermissions());
        assertEquals(Instant.parse("2026-01-02T03:04:05Z"), caller.joinedDate().toInstant());
        assertNull(caller.location());
    }

    @Test
    void refusesAlgNone() {
        String header = b64("{\"alg\":\"none\",\"kid\":\"trusted-1\"}");
        String payload = b64("{\"sub\":\"user-1\",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}");
        assertRefused(verifier, header + "." + payload + ".");
        assertRefused(verifier, header + "." + payload);
    }

    @Test
    void refusesHs256SignedWithThePublicKey() throws Exception {
        byte[] der = trusted.pair().getPublic().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n";
        for (byte[] secret : List.of(der, pem.getBytes(StandardCharsets.UTF_8))) {
            for (String alg : List.of("HS256", "HS512")) {
                String signingInput = b64("{\"alg\":\"" + alg + "\",\"kid\":\"trusted-1\",\"typ\":\"JWT\"}") + "."
                        + b64("{\"sub\":\"user-1\",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}");
                String javaAlg = alg.equals("HS256") ? "HmacSHA256" : "HmacSHA512";
                Mac mac = Mac.getInstance(javaAlg);
                mac.init(new SecretKeySpec(secret, javaAlg));
                String token = signingInput + "." + b64(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
                assertRefused(verifier, token);
            }
        }
    }

    @Test
    void refusesOtherRsaAlgorithmsWithTheTrustedKey() {
        assertRefused(verifier, Jwts.builder().header().keyId("trusted-1").and().subject("user-1")
                .expiration(Date.from(Instant.now().plusSeconds(600)))
                .signWith(trusted.pair().getPrivate(), Jwts.SIG.RS512).compact());
        assertRefused(verifier, Jwts.builder().header().keyId("trusted-1").and().subject("user-1")
                .expiration(Date.from(Instant.now().plusSeconds(600)))
                .signWith(trusted.pair().getPrivate(), Jwts.SIG.PS256).compact());
    }

    @Test
    void refusesExpiredBeyondLeewayButAcceptsWithinIt() {
        Instant now = Instant.now();
        assertRefused(verifier, trusted.builder("user-1").expiration(Date.from(now.minusSeconds(120))).compact());
        assertEquals("user-1", verifier.verify(
                trusted.builder("user-1").expiration(Date.from(now.minusSeconds(5))).compact()).sub());
    }

    @Test
    void refusesMissingExp() {
        assertRefused(verifier, trusted.builder("user-1").expiration(null).compact());
    }

    @Test
    void refusesUnknownKidAndAForeignKeyClaimingATrustedKid() {
        assertRefused(verifier, stranger.token("user-1"));
        assertRefused(verifier, Jwts.builder().header().keyId("trusted-1").and().subject("user-1")
                .expiration(Date.from(Instant.now().plusSeconds(600)))
                .signWith(stranger.pair().getPrivate(), Jwts.SIG.RS256).compact());
        assertRefused(verifier, Jwts.builder().subject("user-1")
                .expiration(Date.from(Instant.now().plusSeconds(600)))
                .signWith(trusted.pair().getPrivate(), Jwts.SIG.RS256).compact());
    }

    @Test
    void checksIssuerAndAudienceWhenConfigured() {
        String good = trusted.builder("user-1").issuer("https://auth.dataland").audience().add("dataland-agent").and().compact();
        assertEquals("user-1", strict.verify(good).sub());
        assertRefused(strict, trusted.builder("user-1").issuer("https://evil").audience().add("dataland-agent").and().compact());
        assertRefused(strict, trusted.builder("user-1").issuer("https://auth.dataland").audience().add("other").and().compact());
        assertRefused(strict, trusted.token("user-1"));
    }

    @Test
    void refusesTamperedPayload() {
        String[] parts = trusted.token("user-1").split("\\.");
        String forged = parts[0] + "." + b64("{\"sub\":\"admin\",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}")
                + "." + parts[2];
        assertRefused(verifier, forged);
    }

    @Test
    void refusesGarbage() {
        for (String junk : List.of("", "abc", "a.b.c", "a.b", "....", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA",
                b64("{\"alg\":\"RS256\",\"kid\":\"trusted-1\"}") + ".%%%." + "zz")) {
            assertRefused(verifier, junk);
        }
    }

    @Test
    void refusesMissingSub() {
        assertRefused(verifier, trusted.builder("x").subject(null).compact());
    }

    @Test
    void cacheReusesAVerifiedTokenButNeverPastItsExp(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, TokenMint.jwks(trusted));
        JwksKeys keys = new JwksKeys(null, file, Duration.ofSeconds(30), Duration.ofMinutes(5), Clock.systemUTC()).start();
        // on a whole second: exp is in whole seconds, so it lands exactly 2 s after the start
        MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        JwtVerifier cached = new JwtVerifier(keys, null, null, 0, Duration.ofSeconds(60), clock);
        // iat from the test's clock: a token minted after a second boundary the frozen clock has not
        // passed would be "issued in the future" to a verifier without leeway
        String token = trusted.builder("user-1").issuedAt(Date.from(clock.instant())).compact();
        assertEquals(cached.verify(token), cached.verify(token));
        String shortLived = trusted.builder("user-2").issuedAt(Date.from(clock.instant()))
                .expiration(Date.from(clock.instant().plusSeconds(2))).compact();
        assertEquals("user-2", cached.verify(shortLived).sub());
        clock.advance(Duration.ofMillis(1900));
        assertEquals("user-2", cached.verify(shortLived).sub(), "still inside its exp");
        clock.advance(Duration.ofMillis(200));
        assertRefused(cached, shortLived);
        assertRefused(cached, "garbage");
    }

    private static void assertRefused(JwtVerifier v, String token) {
        ApiException e = assertThrows(ApiException.class, () -> v.verify(token), token);
        assertEquals(401, e.status().code());
    }
}
