package io.dataland.agent.security;

import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Date;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dataland.kit.http.ApiException;
import io.dataland.kit.http.Bearer;
import io.dataland.kit.http.Json;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Header;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.JwtParserBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.Locator;
import io.jsonwebtoken.UnsupportedJwtException;
import io.jsonwebtoken.security.SecurityException;

/**
 * Verifies bearer tokens: RS256 only (no {@code none}, no HMAC, so the public key can never serve as an
 * HMAC secret), the key found by {@code kid} in {@link JwksKeys}, {@code exp} required with a small
 * leeway, {@code iss} and {@code aud} checked when configured. Any failure is a 401.
 */
public final class JwtVerifier {

    private static final Logger LOG = Logger.getLogger(JwtVerifier.class.getName());
    /** The most clock skew accepted on {@code exp}/{@code nbf}. */
    public static final long MAX_LEEWAY_SECONDS = 60;

    private static final int CACHE_MAX = 10_000;

    private final JwtParser parser;
    private final Duration cache;
    private final Clock clock;
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    /** A token that verified, and until when that answer may be reused. */
    private record Verified(Caller caller, Instant until) {
    }

    /**
     * A verifier over {@code keys}.
     *
     * @param issuer   required {@code iss}, or null
     * @param audience required member of {@code aud}, or null
     */
    public JwtVerifier(JwksKeys keys, String issuer, String audience, long leewaySeconds) {
        this(keys, issuer, audience, leewaySeconds, Duration.ZERO, Clock.systemUTC());
    }

    /**
     * A verifier that also remembers each token that verified for at most {@code cache} (never past its
     * {@code exp}), so a client reusing its token skips parsing and the RSA check; a key removed from the
     * JWKS stops admitting its cached tokens after at most {@code cache}. Zero: no cache.
     */
    public JwtVerifier(JwksKeys keys, String issuer, String audience, long leewaySeconds, Duration cache) {
        this(keys, issuer, audience, leewaySeconds, cache, Clock.systemUTC());
    }

    /** As above, reading the time ({@code exp}, {@code nbf}, the cache) from {@code clock} (tests move it). */
    public JwtVerifier(JwksKeys keys, String issuer, String audience, long leewaySeconds, Duration cache,
                       Clock clock) {
        this.cache = cache;
        this.clock = clock;
        if (leewaySeconds < 0 || leewaySeconds > MAX_LEEWAY_SECONDS) {
            throw new IllegalArgumentException("JWT leeway must be 0.." + MAX_LEEWAY_SECONDS + " s");
        }
        JwtParserBuilder builder = Jwts.parser()
                .sig().clear().add(Jwts.SIG.RS256).and()
                .keyLocator(new KidLocator(keys))
                .clockSkewSeconds(leewaySeconds)
                .clock(() -> Date.from(clock.instant()));
        if (issuer != null) {
            builder.requireIssuer(issuer);
        }
        if (audience != null) {
            builder.requireAudience(audience);
        }
        this.parser = builder.build();
    }

    /** The caller {@code token} proves, or a 401 {@link ApiException}. */
    public Caller verify(String token) {
        if (cache.isPositive()) {
            Verified hit = verified.get(token);
            Instant now = clock.instant();
            if (hit != null && now.isBefore(hit.until())) {
                return hit.caller();
            }
            Caller caller = parse(token);
            remember(token, caller, now);
            return caller;
        }
        return parse(token);
    }

    private void remember(String token, Caller caller, Instant now) {
        // Eviction by dropping everything at the cap: the cache only saves an RSA check, so forgetting is
        // cheap (each live token is verified once more), while an LRU would add bookkeeping to every hit.
        // The cap bounds memory against a flood of distinct valid tokens; expired entries are never read
        // (the until check above) and go at the next clear.
        if (verified.size() >= CACHE_MAX) {
            verified.clear();
        }
        Instant until = now.plus(cache);
        verified.put(token, new Verified(caller, until.isBefore(caller.expiresAt()) ? until : caller.expiresAt()));
    }

    private Caller parse(String token) {
        Claims claims;
        try {
            claims = parser.parseSignedClaims(token).getPayload();
        } catch (JwtException | IllegalArgumentException e) {
            LOG.log(Level.FINE, "token refused: {0}", e.getClass().getSimpleName());
            throw Bearer.unauthorized("invalid or expired token");
        }
        if (claims.getExpiration() == null) {
            throw Bearer.unauthorized("token has no exp");
        }
        String sub = claims.getSubject();
        if (sub == null || sub.isBlank() || sub.length() > 255) {
            throw Bearer.unauthorized("token has no usable sub");
        }
        return new Caller(sub, text(claims, "email"), text(claims, "full_name"), text(claims, "location"),
                text(claims, "profile_photo_url"), timestamp(claims.get("joined_date")),
                permissions(claims.get("access_permissions")), text(claims, "stripe_customer_id"),
                claims.getExpiration().toInstant());
    }

    private static String text(Claims claims, String name) {
        Object value = claims.get(name);
        return value instanceof String s ? s : null;
    }

    /** {@code joined_date}: ISO-8601 (with or without offset, or a date) or epoch seconds; else null. */
    static OffsetDateTime timestamp(Object value) {
        try {
            if (value instanceof Number n) {
                return OffsetDateTime.ofInstant(Instant.ofEpochSecond(n.longValue()), ZoneOffset.UTC);
            }
            if (value instanceof Date d) {
                return OffsetDateTime.ofInstant(d.toInstant(), ZoneOffset.UTC);
            }
            if (value instanceof String s) {
                if (s.length() == 10) {
                    return java.time.LocalDate.parse(s).atStartOfDay().atOffset(ZoneOffset.UTC);
                }
                try {
                    return OffsetDateTime.parse(s);
                } catch (DateTimeParseException e) {
                    return java.time.LocalDateTime.parse(s).atOffset(ZoneOffset.UTC);
                }
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
        return null;
    }

    /** {@code access_permissions}: a list stored JSON-encoded; a string is kept as given; else null. */
    static String permissions(Object value) {
        if (value instanceof Collection<?> list) {
            try {
                return Json.MAPPER.writeValueAsString(list);
            } catch (JsonProcessingException e) {
                return null;
            }
        }
        return value instanceof String s ? s : null;
    }

    /** Finds the verification key by {@code kid}; refuses anything but an RS256 JWS. */
    private record KidLocator(JwksKeys keys) implements Locator<Key> {
        @Override
        public Key locate(Header header) {
            if (!(header instanceof JwsHeader jws) || !"RS256".equals(jws.getAlgorithm())) {
                throw new UnsupportedJwtException("only RS256 signed tokens are accepted");
            }
            Key key = keys.find(jws.getKeyId());
            if (key == null) {
                throw new SecurityException("unknown kid");
            }
            return key;
        }
    }
}
