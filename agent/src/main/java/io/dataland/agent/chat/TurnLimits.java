package io.dataland.agent.chat;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import io.dataland.kit.config.Settings;
import io.dataland.kit.http.ApiException;
import io.dataland.kit.http.ErrorCodes;
import io.helidon.http.Status;

/**
 * Abuse limits on chat turns, checked before a turn writes anything: a per-user token bucket
 * ({@code CHAT_TURN_BURST} turns at once, refilled at {@code CHAT_TURNS_PER_HOUR}; over it 429
 * {@code too_many_turns}), at most {@code CHAT_MAX_TURNS_PER_USER} turns of one user at once and at most
 * {@code CHAT_MAX_MODEL_CALLS} model calls on this instance at once (503 {@code server_busy}). Every
 * model call costs money and holds a connection for up to a minute, so one user (or a stolen token)
 * must not be able to run up the bill or take every slot. Per instance, in memory: the limits multiply
 * by the replica count, which is acceptable for a cost guard (a global counter would put a database
 * round trip on every turn).
 */
public final class TurnLimits {

    /** Buckets kept before idle (full) ones are dropped: bounds memory against many distinct users. */
    private static final int MAX_BUCKETS = 100_000;

    private final double burst;
    private final double perNano;
    private final int perUser;
    private final Semaphore modelCalls;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> running = new ConcurrentHashMap<>();

    /** A bucket: tokens left at {@code at} (nanoTime). Guarded by its own monitor. */
    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    /** Limits: {@code burst} turns, refilled at {@code perHour}; {@code perUser} and {@code modelCalls} at once. */
    public TurnLimits(int burst, int perHour, int perUser, int modelCalls, LongSupplier nanos) {
        this.burst = burst;
        this.perNano = perHour / 3_600e9;
        this.perUser = perUser;
        this.modelCalls = new Semaphore(modelCalls);
        this.nanos = nanos;
    }

    /** From {@code CHAT_TURN_BURST}, {@code CHAT_TURNS_PER_HOUR}, {@code CHAT_MAX_TURNS_PER_USER}, {@code CHAT_MAX_MODEL_CALLS}. */
    public static TurnLimits from(Settings settings) {
        return new TurnLimits(settings.requireInt("CHAT_TURN_BURST", 1, 100_000),
                settings.requireInt("CHAT_TURNS_PER_HOUR", 1, 10_000_000),
                settings.requireInt("CHAT_MAX_TURNS_PER_USER", 1, 10_000),
                settings.requireInt("CHAT_MAX_MODEL_CALLS", 1, 100_000), System::nanoTime);
    }

    /** A turn admitted; closing it gives its slots back. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** Admits one turn of {@code userId} or throws 429 / 503 with {@code Retry-After}. */
    public Permit admit(String userId) {
        take(userId);
        AtomicInteger mine = running.computeIfAbsent(userId, k -> new AtomicInteger());
        if (mine.incrementAndGet() > perUser) {
            release(userId, mine);
            throw busy("too many of your turns are running; wait for one to finish");
        }
        if (!modelCalls.tryAcquire()) {
            release(userId, mine);
            throw busy("the assistant is busy; retry shortly");
        }
        return () -> {
            modelCalls.release();
            release(userId, mine);
        };
    }

    private void release(String userId, AtomicInteger mine) {
        if (mine.decrementAndGet() <= 0) {
            running.remove(userId, mine);
        }
    }

    /** Takes a token from the user's bucket, or throws 429 with the wait for the next one. */
    private void take(String userId) {
        long now = nanos.getAsLong();
        if (buckets.size() >= MAX_BUCKETS) {
            buckets.values().removeIf(b -> {
                synchronized (b) {
                    return b.tokens + (now - b.at) * perNano >= burst;
                }
            });
        }
        Bucket bucket = buckets.computeIfAbsent(userId, k -> new Bucket(burst, now));
        synchronized (bucket) {
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * perNano);
            bucket.at = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return;
            }
            long waitSeconds = (long) Math.ceil((1 - bucket.tokens) / perNano / 1e9);
            throw new ApiException(Status.TOO_MANY_REQUESTS_429, "too_many_turns",
                    "too many messages; slow down", Duration.ofSeconds(Math.max(1, waitSeconds)));
        }
    }

    private static ApiException busy(String message) {
        return new ApiException(Status.SERVICE_UNAVAILABLE_503, ErrorCodes.SERVER_BUSY, message, Duration.ofSeconds(5));
    }
}
