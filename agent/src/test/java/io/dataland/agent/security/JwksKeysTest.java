package io.dataland.agent.security;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import io.dataland.agent.testing.JwksServer;
import io.dataland.agent.testing.TokenMint;
import io.dataland.testkit.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JWKS cache against a real local HTTP endpoint: cooldown, rotation, outage, the watched file. */
class JwksKeysTest {

    private static final TokenMint A = TokenMint.create("key-a");
    private static final TokenMint B = TokenMint.create("key-b");

    @Test
    void floodOfUnknownKidsFetchesAtMostOncePerCooldown() throws Exception {
        try (JwksServer server = JwksServer.start(TokenMint.jwks(A))) {
            JwksKeys keys = new JwksKeys(server.url(), null, Duration.ofSeconds(30), Duration.ofMinutes(5),
                    Clock.systemUTC());
            assertNotNull(keys.find("key-a"));
            int after = server.hits();
            Thread[] threads = new Thread[20];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = Thread.ofVirtual().start(() -> {
                    for (int j = 0; j < 50; j++) {
                        assertNull(keys.find(UUID.randomUUID().toString()));
                    }
                });
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(1, after);
            assertEquals(after, server.hits(), "no refetch inside the cooldown");
        }
    }

    @Test
    void rotationIsSeenOnUnknownKidAfterCooldown() throws Exception {
        try (JwksServer server = JwksServer.start(TokenMint.jwks(A))) {
            MutableClock clock = new MutableClock();
            JwksKeys keys = new JwksKeys(server.url(), null, Duration.ofSeconds(30), Duration.ofMinutes(5), clock);
            JwtVerifier verifier = new JwtVerifier(keys, null, null, 0);
            assertEquals("u", verifier.verify(A.token("u")).sub());
            server.serve(TokenMint.jwks(B));
            clock.advance(Duration.ofSeconds(29));
            assertNull(keys.find("key-b"), "inside the cooldown the URL is not asked again");
            assertEquals(1, server.hits());
            clock.advance(Duration.ofSeconds(1));
            assertEquals("u", verifier.verify(B.token("u")).sub());
            assertEquals(2, server.hits());
        }
    }

    @Test
    void aFailedFetchIsRetriedAfterASecondThenLessOftenNotAfterTheCooldown() throws Exception {
        try (JwksServer server = JwksServer.start(null)) { // the auth server is still starting: 503
            MutableClock clock = new MutableClock();
            JwksKeys keys = new JwksKeys(server.url(), null, Duration.ofSeconds(30), Duration.ofMinutes(5), clock);
            assertNull(keys.find("key-a"));
            assertEquals(1, server.hits());
            clock.advance(Duration.ofMillis(999));
            assertNull(keys.find("key-a"), "not asked again within the first retry wait");
            assertEquals(1, server.hits());
            clock.advance(Duration.ofMillis(1));
            assertNull(keys.find("key-a"));
            assertEquals(2, server.hits(), "retried after 1 s");
            clock.advance(Duration.ofMillis(1999));
            assertNull(keys.find("key-a"));
            assertEquals(2, server.hits(), "the second retry waits 2 s");
            server.serve(TokenMint.jwks(A));
            clock.advance(Duration.ofMillis(1));
            assertNotNull(keys.find("key-a"), "the keys are trusted 3 s after boot, not 30 s");
            assertEquals(3, server.hits());
            clock.advance(Duration.ofSeconds(29));
            assertNull(keys.find("key-b"), "after a success the cooldown holds again");
            assertEquals(3, server.hits());
        }
    }

    @Test
    void theRetryWaitDoublesUpToTheCooldown() {
        JwksKeys keys = new JwksKeys(URI.create("http://127.0.0.1:1/jwks.json"), null, Duration.ofSeconds(30),
                Duration.ofMinutes(5), Clock.systemUTC());
        assertEquals(Duration.ofSeconds(30), keys.nextFetchWait(0));
        assertEquals(Duration.ofSeconds(1), keys.nextFetchWait(1));
        assertEquals(Duration.ofSeconds(2), keys.nextFetchWait(2));
        assertEquals(Duration.ofSeconds(16), keys.nextFetchWait(5));
        assertEquals(Duration.ofSeconds(30), keys.nextFetchWait(6));
        assertEquals(Duration.ofSeconds(30), keys.nextFetchWait(1000));
    }

    @Test
    void keepsLastGoodKeysWhileTheUrlIsDown() throws Exception {
        JwksKeys keys;
        URI url;
        try (JwksServer server = JwksServer.start(TokenMint.jwks(A))) {
            url = server.url();
            keys = new JwksKeys(url, null, Duration.ZERO, Duration.ZERO, Clock.systemUTC());
            assertNotNull(keys.find("key-a"));
        }
        // stale (maxAge 0) and the server is gone: the refetch fails, the old key stays
        assertNotNull(keys.find("key-a"));
        assertTrue(keys.fetchCount() >= 2);
    }

    @Test
    void bootsWithUnreachableUrlAndServesFileKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("extra.json");
        Files.writeString(file, TokenMint.jwks(A));
        JwksKeys keys = new JwksKeys(URI.create("http://127.0.0.1:1/jwks.json"), file, Duration.ofSeconds(30),
                Duration.ofMinutes(5), Clock.systemUTC()).start();
        assertEquals("u", new JwtVerifier(keys, null, null, 0).verify(A.token("u")).sub());
        assertNull(keys.find("key-b"));
    }

    @Test
    void fileChangesAreReloaded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("extra.json");
        Files.writeString(file, TokenMint.jwks(A));
        MutableClock clock = new MutableClock();
        JwksKeys keys = new JwksKeys(null, file, Duration.ofSeconds(30), Duration.ofMinutes(5), clock).start();
        assertNotNull(keys.find("key-a"));
        Files.writeString(file, TokenMint.jwks(A, B));
        assertNull(keys.find("key-b"), "the file is looked at no more than once a second");
        clock.advance(Duration.ofMillis(1001));
        assertNotNull(keys.find("key-b"));
        Files.writeString(file, TokenMint.jwks(B));
        clock.advance(Duration.ofMillis(1001));
        assertNull(keys.find("key-a"));
    }
}
