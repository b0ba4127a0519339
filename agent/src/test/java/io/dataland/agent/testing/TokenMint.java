package io.dataland.agent.testing;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.dataland.testkit.api.RsaTokens;
import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;

/**
 * A real RSA key pair with a {@code kid} (testkit's {@link RsaTokens}), minting RS256 tokens through jjwt's
 * builder (any claim, any expiry) and publishing its JWK (tests only).
 */
public final class TokenMint {

    private final RsaTokens key;

    private TokenMint(RsaTokens key) {
        this.key = key;
    }

    /** A fresh 2048-bit key called {@code kid}. */
    public static TokenMint create(String kid) {
        return new TokenMint(RsaTokens.create(kid));
    }

    /** The key id. */
    public String kid() {
        return key.kid();
    }

    /** The key pair. */
    public KeyPair pair() {
        return key.pair();
    }

    /** The public JWK (kty, n, e, kid, alg, use) as JSON. */
    public String jwk() {
        return Jwks.json(Jwks.builder().key((RSAPublicKey) pair().getPublic()).id(kid()).algorithm("RS256")
                .publicKeyUse("sig").build());
    }

    /** A JWKS document holding the public keys of {@code mints}. */
    public static String jwks(TokenMint... mints) {
        return List.of(mints).stream().map(TokenMint::jwk).collect(Collectors.joining(",", "{\"keys\":[", "]}"));
    }

    /** A builder pre-filled with kid, sub, iat and a one-hour exp, signed RS256 by this key. */
    public JwtBuilder builder(String sub) {
        Instant now = Instant.now();
        return Jwts.builder().header().keyId(kid()).and()
                .id(java.util.UUID.randomUUID().toString())
                .subject(sub).issuedAt(Date.from(now)).expiration(Date.from(now.plus(Duration.ofHours(1))))
                .signWith(pair().getPrivate(), Jwts.SIG.RS256);
    }

    /** A valid token for {@code sub}. */
    public String token(String sub) {
        return builder(sub).compact();
    }

    /** A valid token for {@code sub} with extra claims. */
    public String token(String sub, Map<String, ?> claims) {
        return builder(sub).claims(claims).compact();
    }

    /** base64url without padding of {@code text}. */
    public static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    /** base64url without padding of {@code bytes}. */
    public static String b64(byte[] bytes) {
        return RsaTokens.b64(bytes);
    }
}
