package io.dataland.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test moves by hand, for code that takes a {@link Clock}: expiry, cooldowns and re-check
 * intervals are tested by {@link #advance advancing} it instead of sleeping. Starts at the real now (so
 * tokens minted with real timestamps line up); thread-safe.
 */
public final class MutableClock extends Clock {

    private volatile Instant now;

    public MutableClock() {
        this(Instant.now());
    }

    public MutableClock(Instant start) {
        this.now = start;
    }

    /** Moves the clock forward by {@code by}. */
    public synchronized void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a MutableClock is UTC only");
    }
}
