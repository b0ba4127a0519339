package io.dataland.agent.security;

import java.security.Key;
import java.time.Clock;
import java.time.DateTimeException;
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
import io.dataland.agent.user.JoinedDate;
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
 * leeway, {@code iss} and {@code aud} checked per key source when configured, {@code iat} not in the
 * future, the lifetime capped. Any failure is a 401.
 */
public final class JwtVerifier {

    private static final Logger LOG = Logger.getLogger(JwtVerifier.class.getName());
    /** The most clock skew accepted on {@code exp}/{@code nbf}. */
    public static final long MAX_LEEWAY_SECONDS = 60;

    private static final int CACHE_MAX = 10_000;
    /** The most characters of a {@code sub}, the user id every row of the caller carries. */
    public static final int MAX_SUB = 255;

    /** The default most a token may live ({@code exp} - {@code iat}): {@code JWT_MAX_LIFETIME}. */
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(24);

    /** What tokens signed by one key source must carry: {@code iss} and a member of {@code aud} (null: any). */
    public record Trust(String issuer, String audience) {
        /** No binding. */
        public static final Trust ANY = new Trust(null, null);
    }

    private final JwtParser authParser;
    private final JwtParser cmsParser;
    private final long leewaySeconds;
    private final Duration maxLifetime;
    private final Duration cache;
    private final Clock clock;
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    /** A token that verified, and until when that answer may be reused. */
    private record Verified(Caller caller, Instant until) {
    }

    /**
     * A verifier over {@code keys} binding one issuer and audience to every key source.
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
        this(keys, new Trust(issuer, audience), new Trust(issuer, audience), leewaySeconds, DEFAULT_MAX_LIFETIME,
                cache, clock);
    }

    /**
     * The full form: tokens signed by the auth server's own keys must match {@code auth}, tokens signed by
     * mirrored CMS keys must match {@code cms}, so binding one issuer never locks out the other's tokens
     * and neither issuer's key can mint tokens passing as the other's. A token whose {@code iat} lies
     * in the future past the leeway, or that lives longer than {@code maxLifetime}, is refused.
     */
    public JwtVerifier(JwksKeys keys, Trust auth, Trust cms, long leewaySeconds, Duration maxLifetime,
                       Duration cache, Clock clock) {
        this.cache = cache;
        this.clock = clock;
        this.maxLifetime = maxLifetime;
        this.leewaySeconds = leewaySeconds;
        if (leewaySeconds < 0 || leewaySeconds > MAX_LEEWAY_SECONDS) {
            throw new IllegalArgumentException("JWT leeway must be 0.." + MAX_LEEWAY_SECONDS + " s");
        }
        this.authParser = parser(keys, JwksKeys.Source.AUTH, auth);
        this.cmsParser = parser(keys, JwksKeys.Source.CMS, cms);
    }

    private JwtParser parser(JwksKeys keys, JwksKeys.Source source, Trust trust) {
        JwtParserBuilder builder = Jwts.parser()
                .sig().clear().add(Jwts.SIG.RS256).and()
                .keyLocator(new KidLocator(keys, source))
                .clockSkewSeconds(leewaySeconds)
                .clock(() -> Date.from(clock.instant()));
        if (trust.issuer() != null) {
            builder.requireIssuer(trust.issuer());
        }
        if (trust.audience() != null) {
            builder.requireAudience(trust.audience());
        }
        return builder.build();
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
            claims = parseWith(authParser, token);
        } catch (OtherSource e) {
            // the kid names a CMS key: only the CMS binding may judge this token
            try {
                claims = parseWith(cmsParser, token);
            } catch (OtherSource impossible) {
                throw Bearer.unauthorized("invalid or expired token");
            }
        }
        if (claims.getExpiration() == null) {
            throw Bearer.unauthorized("token has no exp");
        }
        Instant now = clock.instant();
        Instant exp = claims.getExpiration().toInstant();
        Date iat = claims.getIssuedAt();
        // iat is whole seconds: compare against now rounded up, so a token minted this second is not "future"
        Instant nowCeil = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(now.getNano() > 0 ? 1 : 0);
        if (iat != null && iat.toInstant().isAfter(nowCeil.plusSeconds(leewaySeconds))) {
            throw Bearer.unauthorized("token issued in the future");
        }
        // without iat the lifetime still counts from now: no token may be good for longer than the cap
        Instant from = iat == null ? now : iat.toInstant();
        if (Duration.between(from, exp).compareTo(maxLifetime.plusSeconds(iat == null ? leewaySeconds : 0)) > 0) {
            throw Bearer.unauthorized("token lives longer than allowed");
        }
        String sub = claims.getSubject();
        // characters as every other length rule of the API counts them (code points, not UTF-16 units)
        if (sub == null || sub.isBlank() || sub.codePointCount(0, sub.length()) > MAX_SUB) {
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

    /**
     * {@code joined_date}: ISO-8601 (with or without offset, or a date) or epoch seconds, within
     * {@link JoinedDate}'s years 1..9999 UTC; else null (unusable, ignored like an absent claim).
     */
    static OffsetDateTime timestamp(Object value) {
        return JoinedDate.usable(parsedTimestamp(value));
    }

    private static OffsetDateTime parsedTimestamp(Object value) {
        try {
            if (value instanceof Number n) {
                // checked as a double first: longValue() would clamp a huge double and wrap a huge BigInteger
                // into range; any usable instant is far below 1e15 seconds, where a double is exact enough
                return Math.abs(n.doubleValue()) < 1e15
                        ? OffsetDateTime.ofInstant(Instant.ofEpochSecond(n.longValue()), ZoneOffset.UTC) : null;
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
        } catch (DateTimeException | ArithmeticException e) {
            return null;
        }
        return null;
    }

    /**
     * {@code access_permissions}: a JSON list, JSON-encoded as the column stores it (the original's rule: a
     * JSON-encoded list); any other value (a string, a number, an object) is unusable and null, ignored
     * like an absent claim, so the column never holds anything but a list.
     */
    static String permissions(Object value) {
        if (value instanceof Collection<?> list) {
            try {
                return Json.MAPPER.writeValueAsString(list);
            } catch (JsonProcessingException e) {
                return null;
            }
        }
        return null;
    }

    private static Claims parseWith(JwtParser parser, String token) {
        try {
            return parser.parseSignedClaims(token).getPayload();
        } catch (OtherSource e) {
            throw e;
        } catch (JwtException | IllegalArgumentException e) {
            LOG.log(Level.FINE, "token refused: {0}", e.getClass().getSimpleName());
            throw Bearer.unauthorized("invalid or expired token");
        }
    }

    /** The kid names a key of the other source (nothing was verified yet). */
    private static final class OtherSource extends SecurityException {
        OtherSource() {
            super("key of the other source");
        }
    }

    /** Finds the verification key by {@code kid} within one source; refuses anything but an RS256 JWS. */
    private record KidLocator(JwksKeys keys, JwksKeys.Source source) implements Locator<Key> {
        @Override
        public Key locate(Header header) {
            if (!(header instanceof JwsHeader jws) || !"RS256".equals(jws.getAlgorithm())) {
                throw new UnsupportedJwtException("only RS256 signed tokens are accepted");
            }
            JwksKeys.Trusted key = keys.locate(jws.getKeyId());
            if (key == null) {
                throw new SecurityException("unknown kid");
            }
            if (key.source() != source) {
                throw new OtherSource();
            }
            return key.key();
        }
    }
}
