package io.dataland.kit.db;

import io.dataland.kit.config.Settings;

import java.time.Duration;

/**
 * Pool sizing, the seed's {@code pool_size=20, max_overflow=40} read from {@code DB_POOL_SIZE},
 * {@code DB_MAX_OVERFLOW} and {@code DB_POOL_TIMEOUT} (seconds), plus {@code DB_EXPECTED_INSTANCES}
 * (how many replicas of this service share the server, for the pool budget).
 *
 * @param size              steady connections (Hikari {@code minimumIdle})
 * @param overflow          burst above them ({@code maximumPoolSize = size + overflow})
 * @param timeout           wait for a free connection before giving up (then 503)
 * @param expectedInstances replicas of this service that each own a pool
 */
public record PoolSettings(int size, int overflow, Duration timeout, int expectedInstances) {

    /** Reads the four variables (the seed's defaults 20, 40, 30 s and 1 are in each service's YAML). */
    public static PoolSettings from(Settings settings) {
        return new PoolSettings(
                settings.requireInt("DB_POOL_SIZE", 0, 1000),
                settings.requireInt("DB_MAX_OVERFLOW", 0, 1000),
                Duration.ofSeconds(settings.requireInt("DB_POOL_TIMEOUT", 1, 3600)),
                settings.requireInt("DB_EXPECTED_INSTANCES", 1, 1000));
    }

    /** {@code size + overflow}, at least one. */
    public int maxPoolSize() {
        return Math.max(1, size + overflow);
    }

    /** This service's worst case: every instance's pool full. */
    public int worstCaseConnections() {
        return expectedInstances * maxPoolSize();
    }
}
