package io.dataland.auth.password;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Logger;

import io.dataland.kit.config.Settings;
import io.dataland.kit.http.ApiException;
import io.dataland.kit.http.ErrorCodes;
import io.helidon.http.Status;

/**
 * At most {@code concurrency} password hashes at once, split into two lanes so that a signup flood
 * cannot starve logins: the {@link Lane#SIGNUP signup} lane (signups and password changes) holds at most
 * {@link #signupSlots} of the slots ({@code concurrency / 2}, at least one), the {@link Lane#LOGIN login}
 * lane may use all of them. Each lane has its own queue ({@code HASH_QUEUE} for logins,
 * {@code HASH_SIGNUP_QUEUE} for signups), each waiter waits at most {@code maxWait}; anything beyond a
 * lane's queue is refused at once with 503 and {@code Retry-After}, so a flood gets a quick answer
 * instead of a timeout. Argon2id here takes 64 MiB per computation, so the shared bound of
 * {@code concurrency} is what keeps a flood from multiplying it into an out-of-memory.
 *
 * <p>How logins keep their share: a signup first takes one of its lane's permits, only then queues for
 * a shared slot (in arrival order, with the logins). So at most {@code signupSlots} signups ever hold or
 * wait for shared slots; with 2 or more slots at least {@code concurrency - signupSlots} are always left
 * to logins, and with a single slot a login waits behind at most one signup hash, however many signups
 * are queued (they wait in their own lane, outside the slot queue).
 *
 * <p>The hashes run on the bulkhead's own {@code concurrency} platform threads, not on the request's
 * virtual thread: a native call (libargon2) pins its carrier for ~100 ms, and a pure-Java hash never
 * yields, so either would starve the server's few carriers (one per core) of every other request.
 * The caller's virtual thread just parks on the result.
 */
public final class HashBulkhead {

    private static final Logger LOG = Logger.getLogger(HashBulkhead.class.getName());

    /** What one hash holds: 64 MiB of blocks plus its share of stacks, buffers and allocator slack. */
    static final long PER_HASH_MIB = 72;
    /** What the auth process may hold besides hashes (the idle-RSS bound; measured ~115 MiB, docs/benchmarks.md). */
    static final long BASE_MIB = 150;
    /** What password4j keeps on the heap besides hashes: its 64 MiB template and the server's own objects. */
    static final long HEAP_BASE_MIB = 256;

    /** Which work a hash is for; each lane has its own queue and refuses on its own. */
    public enum Lane {
        /** Logins: may use every slot. */
        LOGIN,
        /** Signups and password changes: at most {@link #signupSlots} slots at once. */
        SIGNUP
    }

    /** One lane's admission: its running + waiting bound and the slots it may hold at once. */
    private record Gate(AtomicInteger admitted, int capacity, Semaphore slots) {
        Gate(int slots, int queue) {
            this(new AtomicInteger(), slots + queue, new Semaphore(slots, true));
        }
    }

    private final Semaphore running;
    private final ThreadPoolExecutor hashers;
    private final Gate login;
    private final Gate signup;
    private final int concurrency;
    private final Duration maxWait;

    /**
     * A bulkhead of {@code concurrency} running computations: logins with {@code queue} more waiting,
     * signups on at most {@link #signupSlots} of the slots with {@code signupQueue} more waiting.
     */
    public HashBulkhead(int concurrency, int queue, int signupQueue, Duration maxWait) {
        if (concurrency < 1 || queue < 0 || signupQueue < 0) {
            throw new IllegalArgumentException("concurrency must be >= 1 and the queues >= 0");
        }
        this.concurrency = concurrency;
        this.running = new Semaphore(concurrency, true);
        this.login = new Gate(concurrency, queue);
        this.signup = new Gate(signupSlots(concurrency), signupQueue);
        this.maxWait = maxWait;
        // one thread per slot (the queue stays empty); idle threads retire, so a stopped server leaves none
        this.hashers = new ThreadPoolExecutor(concurrency, concurrency, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name("argon2-", 1).daemon(true).factory());
        this.hashers.allowCoreThreadTimeOut(true);
    }

    /** The slots the signup lane may hold at once: half of them, at least one (1 of 1, 1 of 2, 2 of 4). */
    public static int signupSlots(int concurrency) {
        return Math.max(1, concurrency / 2);
    }

    /**
     * The bulkhead the settings ask for, sized for {@code engine}: {@code HASH_CONCURRENCY} (default
     * {@link #defaultConcurrency}), {@code HASH_QUEUE} (64 logins), {@code HASH_SIGNUP_QUEUE} (8 signups)
     * and {@code HASH_WAIT_MILLIS} (10 s).
     */
    public static HashBulkhead create(Settings settings, Argon2Engine engine) {
        int cores = Runtime.getRuntime().availableProcessors();
        long memory = engine.usesHeap() ? Runtime.getRuntime().maxMemory() : physicalMemory();
        int concurrency = settings.getInt("HASH_CONCURRENCY", defaultConcurrency(cores, memory, engine.usesHeap()), 1, 1024);
        int queue = settings.requireInt("HASH_QUEUE", 0, 100_000);
        int signupQueue = settings.requireInt("HASH_SIGNUP_QUEUE", 0, 100_000);
        HashBulkhead bulkhead = new HashBulkhead(concurrency, queue, signupQueue,
                Duration.ofMillis(settings.requireInt("HASH_WAIT_MILLIS", 1, 600_000)));
        LOG.info(() -> "password hashing: at most " + concurrency + " Argon2id at once (" + cores + " cores, "
                + (memory >> 20) + " MiB of " + (engine.usesHeap() ? "heap" : "memory") + ", 64 MiB each), "
                + queue + " logins waiting; signups and password changes on at most " + signupSlots(concurrency)
                + " of the slots, " + signupQueue + " waiting");
        return bulkhead;
    }

    /**
     * The default concurrency: one hash per core (each runs its 4 lanes on its own threads, so more would
     * only queue for the same cores), but never more than the memory holds at {@value #PER_HASH_MIB} MiB a
     * hash. Native hashes ({@code onHeap} false) take theirs outside the heap, from the machine's or the
     * container's memory ({@code memoryBytes}) minus {@value #BASE_MIB} MiB for the process; password4j's
     * come from the heap ({@code memoryBytes} is then the max heap) minus {@value #HEAP_BASE_MIB} MiB.
     */
    public static int defaultConcurrency(int cores, long memoryBytes, boolean onHeap) {
        long byMemory = ((memoryBytes >> 20) - (onHeap ? HEAP_BASE_MIB : BASE_MIB)) / PER_HASH_MIB;
        return (int) Math.max(1, Math.min(cores, byMemory));
    }

    /** Runs {@code work} in {@code lane}; 503 {@code server_busy} when the lane is full or the wait runs out. */
    public <T> T run(Lane lane, Supplier<T> work) {
        Gate gate = lane == Lane.LOGIN ? login : signup;
        if (gate.admitted().incrementAndGet() > gate.capacity()) {
            gate.admitted().decrementAndGet();
            throw busy(lane);
        }
        long deadline = System.nanoTime() + maxWait.toNanos();
        try {
            // the caller (a virtual thread) waits here, unmounted: first for its lane's permit, then for a
            // shared slot; a slot holder always finds one of the concurrency hashing threads idle, so
            // maxWait is all the queueing there is
            if (!gate.slots().tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                throw busy(lane);
            }
            try {
                if (!running.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    throw busy(lane);
                }
                try {
                    return finish(hashers.submit(work::get));
                } finally {
                    running.release(); // the slot first: a waiting login is not kept behind the next signup
                }
            } finally {
                gate.slots().release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy(lane);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            gate.admitted().decrementAndGet();
        }
    }

    /** The result, waiting through interrupts: a started hash holds its slot until it ends. */
    private static <T> T finish(Future<T> result) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Computations of {@code lane} running or waiting right now. */
    public int inFlight(Lane lane) {
        return (lane == Lane.LOGIN ? login : signup).admitted().get();
    }

    /** Callers waiting for a shared slot (they hold their lane's permit): what the tests wait for. */
    int waitingForSlot() {
        return running.getQueueLength();
    }

    /** How many run at once. */
    public int concurrency() {
        return concurrency;
    }

    /** The memory a native hash can take: the container's limit inside one, else the machine's RAM. */
    static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Long.MAX_VALUE; // unknown: the core count decides
    }

    private static ApiException busy(Lane lane) {
        return new ApiException(Status.SERVICE_UNAVAILABLE_503, ErrorCodes.SERVER_BUSY, lane == Lane.LOGIN
                ? "too many sign-ins at once; retry shortly" : "too many sign-ups at once; retry shortly",
                Duration.ofSeconds(1));
    }
}
