package io.dataland.agent.security;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;

/**
 * The trusted RSA public keys by {@code kid}: those of the auth server's JWKS ({@code AUTH_JWKS_URL}) plus
 * those of a local JWKS file ({@code JWKS_FILE}), each with its {@link Source}. The URL must be https, or
 * plain http to a loopback or single-label host; its answer is capped at 64 KiB.
 *
 * <p>The URL's keys are cached. An unknown {@code kid} triggers a refetch at most once per cooldown, so a
 * flood of tokens with random kids costs the auth server one request per cooldown; a set older than
 * {@code maxAge} is refetched on the next lookup (same cooldown). A failed fetch keeps the last good keys
 * and is retried sooner than the cooldown, after 1 s, then 2 s, 4 s ... up to the cooldown, so an agent
 * that booted while the auth server was still starting trusts its keys a second later, not half a minute
 * later. The first fetch runs in the background, so the agent boots and serves while the auth server is
 * down. The file is re-read when its modification time or size changes (checked at most once a second).
 */
public final class JwksKeys {

    private static final Logger LOG = Logger.getLogger(JwksKeys.class.getName());
    private static final Duration FILE_CHECK_INTERVAL = Duration.ofSeconds(1);
    /** The wait before the first retry of a failed fetch; it doubles with each failure, up to the cooldown. */
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    /** The most a JWKS answer may weigh: a real set is a few KiB; more is a misdirected or hostile URL. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /**
     * The JWK member the auth server adds to the keys it serves from {@code extra_jwks.json} (keys it
     * vouches for but does not sign with), so the agent can bind them to the CMS issuer, not its own.
     */
    public static final String SOURCE_MEMBER = "dataland_source";
    /** {@link #SOURCE_MEMBER}'s value on a mirrored (CMS) key. */
    public static final String SOURCE_EXTRA = "extra";

    /** Where a key came from, which decides the issuer and audience its tokens must carry. */
    public enum Source {
        /** The auth server's own signing keys (its JWKS URL, unmarked). */
        AUTH,
        /** Mirrored CMS keys: {@code JWKS_FILE}, or keys the auth server marks as from {@code extra_jwks.json}. */
        CMS
    }

    /** A trusted key and its source. */
    public record Trusted(PublicKey key, Source source) {
    }

    private final URI url;
    private final Path file;
    private final Duration cooldown;
    private final Duration maxAge;
    private final Clock clock;
    private final HttpClient http;
    private final ReentrantLock fetchLock = new ReentrantLock();
    private final ReentrantLock fileLock = new ReentrantLock();
    private final AtomicLong fetches = new AtomicLong();

    private volatile Map<String, Trusted> urlKeys = Map.of();
    private volatile Instant lastFetchAttempt = Instant.EPOCH;
    /** Fetches that failed since the last success (the one in flight counts until it succeeds). */
    private volatile int failedFetches;
    private volatile Instant lastFetchSuccess = Instant.EPOCH;
    private volatile Map<String, Trusted> fileKeys = Map.of();
    private volatile Instant lastFileCheck = Instant.EPOCH;
    private volatile FileStamp fileStamp;

    /**
     * Keys from {@code url} (null: none) and {@code file} (null: none).
     *
     * @param cooldown the least time between two fetches of {@code url}
     * @param maxAge   after this the URL's keys are refetched on the next lookup
     */
    public JwksKeys(URI url, Path file, Duration cooldown, Duration maxAge, Clock clock) {
        this.url = checkedUrl(url);
        this.file = file;
        this.cooldown = cooldown;
        this.maxAge = maxAge;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Reads the file now and fetches the URL in the background (never blocks boot on the auth server). */
    public JwksKeys start() {
        checkFile(true);
        if (url != null) {
            Thread.ofVirtual().name("jwks-initial-fetch").start(this::refetch);
        }
        return this;
    }

    /** The key for {@code kid}, or null when neither source knows it (after at most one refetch). */
    public PublicKey find(String kid) {
        Trusted trusted = locate(kid);
        return trusted == null ? null : trusted.key();
    }

    /** The key for {@code kid} and where it came from, or null (after at most one refetch). */
    public Trusted locate(String kid) {
        if (kid == null) {
            return null;
        }
        checkFile(false);
        Trusted key = fileKeys.get(kid);
        if (key != null) {
            return key;
        }
        if (url == null) {
            return null;
        }
        key = urlKeys.get(kid);
        if (key == null && fetchLock.isLocked()) {
            // A fetch is in flight (the first one at boot, or another request's): use what it brings.
            // Lock-then-unlock is the wait: the fetcher holds fetchLock for exactly the fetch, so getting
            // it means the fetch is over and urlKeys is its result; no condition or future to keep, and
            // the unlock right away lets every waiter through at once instead of fetching again.
            fetchLock.lock();
            fetchLock.unlock();
            key = urlKeys.get(kid);
        }
        boolean stale = now().isAfter(lastFetchSuccess.plus(maxAge));
        if ((key == null || stale) && cooldownOver()) {
            refetch();
            key = urlKeys.get(kid);
        }
        return key;
    }

    /**
     * {@code url} when it may carry trust: https, or plain http only to a loopback or single-label host
     * (a container network name such as {@code dataland-auth}, where no third party sits on the path).
     * Anything else would let whoever is on the network path substitute the keys.
     */
    static URI checkedUrl(URI url) {
        if (url == null) {
            return null;
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        String host = url.getHost();
        if (host == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException("AUTH_JWKS_URL must be an https:// (or internal http://) URL, got " + url);
        }
        if (scheme.equals("http") && !internalHost(host)) {
            throw new IllegalArgumentException("AUTH_JWKS_URL " + url + " uses plain http to a routed host;"
                    + " use https, or http only to a loopback or single-label (container network) host");
        }
        return url;
    }

    private static boolean internalHost(String host) {
        String h = host.toLowerCase(java.util.Locale.ROOT);
        if (h.startsWith("[")) {
            return h.equals("[::1]");
        }
        return h.equals("localhost") || h.startsWith("127.") || (!h.contains(".") && !h.contains(":"));
    }

    /** How many fetches of the URL were attempted (tests, metrics). */
    public long fetchCount() {
        return fetches.get();
    }

    /** Fetches the URL unless another thread just did; a failure keeps the last good keys. */
    void refetch() {
        if (!fetchLock.tryLock()) {
            // another request is fetching: wait for it (lock-then-unlock, as in find), then use what it got
            fetchLock.lock();
            fetchLock.unlock();
            return;
        }
        try {
            if (!cooldownOver()) {
                return;
            }
            lastFetchAttempt = now();
            failedFetches++; // until this fetch succeeds (only the fetchLock holder writes it)
            fetches.incrementAndGet();
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(3))
                    .header("Accept", "application/json").GET().build();
            HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (java.io.InputStream in = response.body()) {
                // read one byte past the cap: a bigger body is refused, never buffered whole
                body = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            if (response.statusCode() != 200) {
                LOG.warning(() -> "JWKS fetch from " + url + " answered " + response.statusCode()
                        + "; keeping " + urlKeys.size() + " cached key(s)");
                return;
            }
            if (body.length > MAX_BODY_BYTES) {
                LOG.warning(() -> "JWKS fetch from " + url + " answered more than " + MAX_BODY_BYTES
                        + " bytes; keeping " + urlKeys.size() + " cached key(s)");
                return;
            }
            Map<String, Trusted> keys = parse(new String(body, StandardCharsets.UTF_8), null);
            urlKeys = keys;
            lastFetchSuccess = now();
            failedFetches = 0;
            LOG.fine(() -> "JWKS fetched from " + url + ": " + keys.keySet());
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "JWKS fetch from " + url + " failed (" + e.getClass().getSimpleName()
                    + "); keeping " + urlKeys.size() + " cached key(s)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            fetchLock.unlock();
        }
    }

    private boolean cooldownOver() {
        return !now().isBefore(lastFetchAttempt.plus(nextFetchWait(failedFetches)));
    }

    /**
     * The least time between the last fetch and the next one: the cooldown after a success; after
     * {@code failures} failures in a row {@link #FIRST_RETRY} doubled {@code failures - 1} times, never
     * more than the cooldown.
     */
    Duration nextFetchWait(int failures) {
        if (failures == 0) {
            return cooldown;
        }
        Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 20));
        return wait.compareTo(cooldown) > 0 ? cooldown : wait;
    }

    private void checkFile(boolean force) {
        if (file == null || (!force && now().isBefore(lastFileCheck.plus(FILE_CHECK_INTERVAL)))) {
            return;
        }
        if (!fileLock.tryLock()) {
            return;
        }
        try {
            lastFileCheck = now();
            FileStamp stamp = FileStamp.of(file);
            if (Objects.equals(stamp, fileStamp)) {
                return;
            }
            fileStamp = stamp;
            if (stamp == null) {
                LOG.warning(() -> "JWKS_FILE " + file + " is missing; its keys are no longer trusted");
                fileKeys = Map.of();
                return;
            }
            Map<String, Trusted> keys = parse(Files.readString(file, StandardCharsets.UTF_8), Source.CMS);
            fileKeys = keys;
            LOG.info(() -> "JWKS_FILE " + file + " loaded: " + keys.keySet());
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "JWKS_FILE " + file + " unreadable (" + e.getClass().getSimpleName()
                    + "); keeping " + fileKeys.size() + " key(s)");
        } finally {
            fileLock.unlock();
        }
    }

    /**
     * The RSA public keys with a {@code kid} in a JWK set document; other keys are skipped. Each key is
     * {@code source}, or (null) CMS when marked with {@link #SOURCE_MEMBER} and AUTH otherwise.
     */
    static Map<String, Trusted> parse(String json, Source source) {
        JwkSet set = Jwks.setParser().ignoreUnsupported(true).build().parse(json);
        Map<String, Trusted> keys = new HashMap<>();
        for (Jwk<?> jwk : set.getKeys()) {
            if (jwk.getId() != null && jwk.toKey() instanceof RSAPublicKey rsa
                    && (jwk.getAlgorithm() == null || "RS256".equals(jwk.getAlgorithm()))) {
                Source from = source != null ? source
                        : SOURCE_EXTRA.equals(jwk.get(SOURCE_MEMBER)) ? Source.CMS : Source.AUTH;
                keys.put(jwk.getId(), new Trusted(rsa, from));
            }
        }
        return Map.copyOf(keys);
    }

    private Instant now() {
        return clock.instant();
    }

    private record FileStamp(FileTime modified, long size) {
        static FileStamp of(Path file) throws IOException {
            if (!Files.isRegularFile(file)) {
                return null;
            }
            return new FileStamp(Files.getLastModifiedTime(file), Files.size(file));
        }
    }
}
