package io.dataland.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in tests for a state another thread reaches, polled every few milliseconds, with a deadline. */
public final class Poll {

    private Poll() {
    }

    /** Returns once {@code condition} holds; an {@link AssertionError} when it still does not after {@code within}. */
    public static void until(BooleanSupplier condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + within);
            }
            Thread.sleep(5);
        }
    }
}
