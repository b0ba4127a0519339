package io.dataland.auth.password;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.dataland.auth.password.HashBulkhead.Lane;
import io.dataland.kit.http.ApiException;
import io.dataland.testkit.Poll;
import org.junit.jupiter.api.Test;

/** The hashing bulkhead's bounds, with blocking work in place of Argon2 so the timing is exact. */
class HashBulkheadTest {

    @Test
    void runsAtMostConcurrencyAtOnceQueuesTheNextAndRefusesTheRest() throws Exception {
        HashBulkhead bulkhead = new HashBulkhead(2, 1, 0, Duration.ofSeconds(30));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<Integer>> admitted = holding(threads, bulkhead, Lane.LOGIN, 3, release, running, peak);
            // two running (inside the work), the third admitted and waiting
            waitUntil(() -> running.get() == 2 && bulkhead.inFlight(Lane.LOGIN) == 3);
            assertBusy(bulkhead, Lane.LOGIN);
            releaseAndJoin(release, admitted);
            assertEquals(2, peak.get(), "never more than the concurrency at once");
            assertEquals(0, bulkhead.inFlight(Lane.LOGIN));
            assertEquals(1, bulkhead.run(Lane.LOGIN, () -> 1), "usable again once drained");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aQueuedCallerGivesUpAfterTheMaximumWait() throws Exception {
        HashBulkhead bulkhead = new HashBulkhead(1, 5, 0, Duration.ofMillis(200));
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            AtomicInteger running = new AtomicInteger();
            List<Future<Integer>> holder = holding(threads, bulkhead, Lane.LOGIN, 1, release, running, new AtomicInteger());
            waitUntil(() -> running.get() == 1); // the holder is inside its work, the slot taken
            long start = System.nanoTime();
            ApiException refused = assertThrows(ApiException.class, () -> bulkhead.run(Lane.LOGIN, () -> 2));
            assertEquals(503, refused.status().code());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(190));
            releaseAndJoin(release, holder);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void signupsHoldAtMostHalfTheSlotsAndOverflowTheirOwnQueueWhileLoginsStillRun() throws Exception {
        HashBulkhead bulkhead = new HashBulkhead(2, 0, 1, Duration.ofSeconds(30));
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            // one running, one queued in the signup lane
            List<Future<Integer>> signups = holding(threads, bulkhead, Lane.SIGNUP, 2, release, new AtomicInteger(),
                    new AtomicInteger());
            waitUntil(() -> bulkhead.inFlight(Lane.SIGNUP) == 2);
            assertBusy(bulkhead, Lane.SIGNUP); // the signup lane's queue is full
            // the second slot stays with the logins although signups are waiting
            assertEquals(7, threads.submit(() -> bulkhead.run(Lane.LOGIN, () -> 7)).get(10, TimeUnit.SECONDS));
            assertEquals(0, bulkhead.inFlight(Lane.LOGIN));
            assertEquals(2, bulkhead.inFlight(Lane.SIGNUP), "the signups are still held");
            releaseAndJoin(release, signups);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void onASingleSlotAWaitingLoginGoesBeforeTheQueuedSignups() throws Exception {
        HashBulkhead bulkhead = new HashBulkhead(1, 4, 4, Duration.ofSeconds(30));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<Integer>> all = new ArrayList<>();
            all.add(threads.submit(() -> bulkhead.run(Lane.SIGNUP, () -> {
                started.countDown();
                await(release);
                order.add("signup-0");
                return 0;
            })));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            for (int i = 1; i <= 3; i++) {
                String name = "signup-" + i;
                all.add(threads.submit(() -> bulkhead.run(Lane.SIGNUP, () -> order.add(name) ? 0 : 0)));
            }
            waitUntil(() -> bulkhead.inFlight(Lane.SIGNUP) == 4);
            all.add(threads.submit(() -> bulkhead.run(Lane.LOGIN, () -> order.add("login") ? 0 : 0)));
            waitUntil(() -> bulkhead.waitingForSlot() == 1); // the login queues for the slot, the signups for their lane
            release.countDown();
            for (Future<Integer> f : all) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertEquals(List.of("signup-0", "login"), order.subList(0, 2), "order " + order);
            assertEquals(5, order.size());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void theSignupLaneHasHalfTheSlotsAndAtLeastOne() {
        assertEquals(1, HashBulkhead.signupSlots(1));
        assertEquals(1, HashBulkhead.signupSlots(2));
        assertEquals(1, HashBulkhead.signupSlots(3));
        assertEquals(2, HashBulkhead.signupSlots(4));
    }

    @Test
    void theDefaultConcurrencyIsTheCoreCountBoundedByMemory() {
        long mib = 1L << 20;
        // native: the machine's (container's) memory minus 150 MiB for the process, 72 MiB a hash
        assertEquals(2, HashBulkhead.defaultConcurrency(2, 24_000 * mib, false));
        assertEquals(1, HashBulkhead.defaultConcurrency(2, 256 * mib, false), "(256 - 150) / 72 hashes fit");
        assertEquals(2, HashBulkhead.defaultConcurrency(4, 300 * mib, false));
        // password4j: the max heap minus 256 MiB (its template and the server)
        assertEquals(2, HashBulkhead.defaultConcurrency(2, 768 * mib, true));
        assertEquals(7, HashBulkhead.defaultConcurrency(16, 768 * mib, true), "(768 - 256) / 72 hashes fit");
        assertEquals(1, HashBulkhead.defaultConcurrency(8, 256 * mib, true), "never below one");
        assertEquals(8, HashBulkhead.defaultConcurrency(8, 4096 * mib, true));
    }

    @Test
    void theWorkRunsOnThePlatformThreadsOfTheBulkheadNotTheCallersVirtualThread() throws Exception {
        HashBulkhead bulkhead = new HashBulkhead(2, 4, 0, Duration.ofSeconds(30));
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Thread worker = threads.submit(() -> bulkhead.run(Lane.LOGIN, Thread::currentThread)).get(10, TimeUnit.SECONDS);
            assertFalse(worker.isVirtual(), "a native call would pin the caller's carrier");
            assertTrue(worker.getName().startsWith("argon2-"), worker.getName());
            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> bulkhead.run(Lane.LOGIN, () -> { throw new IllegalStateException("inside"); }));
            assertEquals("inside", failure.getMessage(), "the work's exception reaches the caller as is");
            assertEquals(0, bulkhead.inFlight(Lane.LOGIN));
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        Poll.until(condition, Duration.ofSeconds(10));
    }

    /** {@code count} computations in {@code lane} that hold their slot (or wait for one) until {@code release}. */
    private static List<Future<Integer>> holding(ExecutorService threads, HashBulkhead bulkhead, Lane lane, int count,
                                                 CountDownLatch release, AtomicInteger running, AtomicInteger peak) {
        List<Future<Integer>> held = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            held.add(threads.submit(() -> bulkhead.run(lane, () -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                await(release);
                running.decrementAndGet();
                return 1;
            })));
        }
        return held;
    }

    /** Lets the held computations finish; each returns 1. */
    private static void releaseAndJoin(CountDownLatch release, List<Future<Integer>> held) throws Exception {
        release.countDown();
        for (Future<Integer> f : held) {
            assertEquals(1, f.get(10, TimeUnit.SECONDS));
        }
    }

    /** A call refused at once: 503 {@code server_busy} with {@code Retry-After: 1}. */
    private static void assertBusy(HashBulkhead bulkhead, Lane lane) {
        ApiException refused = assertThrows(ApiException.class, () -> bulkhead.run(lane, () -> 1));
        assertEquals(503, refused.status().code());
        assertEquals("server_busy", refused.code());
        assertEquals(Duration.ofSeconds(1), refused.retryAfter().orElseThrow());
    }
}
