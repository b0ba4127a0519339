package io.dataland.auth.password;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.dataland.kit.http.ApiException;
import io.helidon.http.Status;

/**
 * At most {@code concurrency} password hashes at once, at most {@code queue} more waiting (each for at
 * most {@code maxWait}); anything beyond is refused with 503 and {@code Retry-After}. Argon2id here
 * takes 64 MiB per computation, so this bound is what keeps a login flood from multiplying it into an
 * out-of-memory.
 */
public final class HashBulkhead {

    private final Semaphore running;
    private final AtomicInteger admitted = new AtomicInteger();
    private final int capacity;
    private final Duration maxWait;

    /** A bulkhead of {@code concurrency} running and {@code queue} waiting computations. */
    public HashBulkhead(int concurrency, int queue, Duration maxWait) {
        if (concurrency < 1 || queue < 0) {
            throw new IllegalArgumentException("concurrency must be >= 1 and queue >= 0");
        }
        this.running = new Semaphore(concurrency, true);
        this.capacity = concurrency + queue;
        this.maxWait = maxWait;
    }

    /**
     * The default concurrency: one hash per core, but never more than the heap holds. Each Argon2id
     * computation allocates its 64 MiB of blocks on the heap (password4j also keeps one 64 MiB template
     * per parameter set), so with {@code maxHeapBytes} the bound is (heap - 256 MiB headroom) / 72 MiB.
     */
    public static int defaultConcurrency(int cores, long maxHeapBytes) {
        long byHeap = ((maxHeapBytes >> 20) - 256) / 72;
        return (int) Math.max(1, Math.min(cores, byHeap));
    }

    /** Runs {@code work} inside the bulkhead; 503 {@code server_busy} when full or the wait runs out. */
    public <T> T run(Supplier<T> work) {
        if (admitted.incrementAndGet() > capacity) {
            admitted.decrementAndGet();
            throw busy();
        }
        try {
            if (!running.tryAcquire(maxWait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw busy();
            }
            try {
                return work.get();
            } finally {
                running.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy();
        } finally {
            admitted.decrementAndGet();
        }
    }

    /** Computations running or waiting right now. */
    public int inFlight() {
        return admitted.get();
    }

    private static ApiException busy() {
        return new ApiException(Status.SERVICE_UNAVAILABLE_503, "server_busy",
                "too many sign-ins at once; retry shortly", Duration.ofSeconds(1));
    }
}
