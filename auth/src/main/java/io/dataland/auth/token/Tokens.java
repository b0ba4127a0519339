package io.dataland.auth.token;

import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParserBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.ProtectedHeader;

/**
 * Issues and checks the auth server's RS256 access tokens: header {@code kid}; claims {@code sub},
 * {@code email}, {@code iat}, {@code exp}, {@code iss} (and {@code aud} when {@code JWT_AUDIENCE} is set),
 * signed with the ring's current key; verified against any key the ring still holds.
 */
public final class Tokens {

    private final KeyRing keys;
    private final Duration ttl;
    private final String issuer;
    private final String audience;
    private final Clock clock;

    /** Tokens signed by {@code keys}, valid for {@code ttl}; {@code audience} may be null. */
    public Tokens(KeyRing keys, Duration ttl, String issuer, String audience, Clock clock) {
        this.keys = keys;
        this.ttl = ttl;
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
    }

    /** A freshly issued token. */
    public record Issued(String token, long expiresIn) {
    }

    /** A token for {@code sub} / {@code email}. */
    public Issued issue(String sub, String email) {
        SigningKey key = keys.current();
        Instant now = clock.instant();
        var builder = Jwts.builder()
                .header().keyId(key.kid()).and()
                .subject(sub)
                .claim("email", email)
                .issuer(issuer)
                .issuedAt(Date.from(now))
                .expiration(Date.from(now.plus(ttl)));
        if (audience != null) {
            builder.audience().add(audience).and();
        }
        return new Issued(builder.signWith(key.privateKey(), Jwts.SIG.RS256).compact(), ttl.toSeconds());
    }

    /** The claims of {@code token} when it is one of ours, signed, unexpired; empty otherwise. */
    public Optional<Claims> verify(String token) {
        JwtParserBuilder parser = Jwts.parser()
                .keyLocator(new LocatorAdapter<Key>() {
                    @Override
                    protected Key locate(ProtectedHeader header) {
                        String kid = header.getKeyId();
                        return kid == null ? null : keys.find(kid).map(k -> (Key) k.publicKey()).orElse(null);
                    }
                })
                .clock(() -> Date.from(clock.instant()))
                .requireIssuer(issuer);
        if (audience != null) {
            parser.requireAudience(audience);
        }
        try {
            Claims claims = parser.build().parseSignedClaims(token).getPayload();
            return claims.getExpiration() == null || claims.getSubject() == null ? Optional.empty() : Optional.of(claims);
        } catch (JwtException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
