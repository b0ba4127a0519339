package io.dataland.agent.user;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.dataland.kit.db.UnitOfWork;

/**
 * The users row lookup of every authenticated request, remembering for a while what was stored for a
 * set of claims: the same token again within {@code ttl} costs no statement at all. Entries are keyed
 * by {@code sub} and hold the claims they were stored for, so a token whose claims changed misses and
 * goes to {@link UserRepository#getOrCreate}, which refreshes the row (API.md rules unchanged).
 *
 * <p>Bounded: at most {@code capacity} entries; when full, expired entries go first and then arbitrary
 * ones (a miss only costs one SELECT). Expiring: another agent instance may have refreshed the row from
 * a newer token, so what is remembered is trusted for {@code ttl} only. {@code ttl} zero turns it off.
 */
public final class KnownUsers {

    private record Entry(UserClaims claims, User user, long expiresAt) {
    }

    private final UnitOfWork db;
    private final int capacity;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** A cache over {@code db} holding up to {@code capacity} users for {@code ttl}, on {@code nanoClock}. */
    public KnownUsers(UnitOfWork db, int capacity, Duration ttl, LongSupplier nanoClock) {
        if (capacity < 0 || ttl.isNegative()) {
            throw new IllegalArgumentException("capacity and ttl must not be negative");
        }
        this.db = db;
        this.capacity = capacity;
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    /** A cache over {@code db} on the JVM's monotonic clock. */
    public KnownUsers(UnitOfWork db, int capacity, Duration ttl) {
        this(db, capacity, ttl, System::nanoTime);
    }

    /** The stored row for {@code claims}: remembered, read, created or refreshed. */
    public User get(UserClaims claims) {
        if (ttlNanos == 0 || capacity == 0) {
            return UserRepository.getOrCreate(db, claims);
        }
        long now = nanoClock.getAsLong();
        Entry entry = entries.get(claims.sub());
        if (entry != null && entry.claims().equals(claims) && now - entry.expiresAt() < 0) {
            return entry.user();
        }
        User user = UserRepository.getOrCreate(db, claims);
        if (entries.size() >= capacity) {
            evict(now);
        }
        entries.put(claims.sub(), new Entry(claims, user, now + ttlNanos));
        return user;
    }

    /** Entries held now. */
    public int size() {
        return entries.size();
    }

    private void evict(long now) {
        entries.values().removeIf(e -> now - e.expiresAt() >= 0);
        // Still full: drop arbitrary entries down to three quarters, so a burst of new users does not
        // scan the map on every request.
        Iterator<String> keys = entries.keySet().iterator();
        while (entries.size() > capacity * 3 / 4 && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }
}
