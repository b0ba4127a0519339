package io.dataland.kit.config;

import io.dataland.kit.db.PoolSettings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Environment over application.yaml, and the pool settings read from it. */
class SettingsTest {

    @Test
    void environmentWinsOverYamlAndBlankCountsAsUnset() {
        Settings settings = Settings.load(Map.of("DB_POOL_SIZE", "7", "DB_MAX_OVERFLOW", " "), "settings-test.yaml");
        assertEquals(7, settings.getInt("DB_POOL_SIZE", 20, 0, 100));
        assertEquals(11, settings.getInt("DB_MAX_OVERFLOW", 40, 0, 100), "blank env falls back to the YAML");
        assertEquals(30, settings.getInt("DB_POOL_TIMEOUT", 30, 1, 100), "neither set: the fallback");
        assertEquals("from-yaml", settings.get("AUTH_JWKS_URL", "x"));
    }

    @Test
    void poolSettingsMapTheSeedsPool() {
        PoolSettings pool = PoolSettings.from(Settings.load(Map.of(), "kit-defaults.yaml"));
        assertEquals(new PoolSettings(20, 40, Duration.ofSeconds(30), 1), pool);
        assertEquals(60, pool.maxPoolSize());
        assertEquals(120, new PoolSettings(20, 40, Duration.ofSeconds(30), 2).worstCaseConnections(),
                "the seed's 2 workers x 60");
    }

    @Test
    void badNumbersNameTheVariable() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> PoolSettings.from(Settings.load(Map.of("DB_POOL_SIZE", "twenty"), "kit-defaults.yaml")));
        assertTrue(e.getMessage().startsWith("DB_POOL_SIZE"), e.getMessage());
        var range = assertThrows(IllegalArgumentException.class,
                () -> PoolSettings.from(Settings.load(Map.of("DB_POOL_TIMEOUT", "0"), "kit-defaults.yaml")));
        assertTrue(range.getMessage().startsWith("DB_POOL_TIMEOUT"), range.getMessage());
    }

    @Test
    void aRequiredSettingWithNoDefaultInTheYamlIsAnErrorNamingBothPlaces() {
        var e = assertThrows(IllegalStateException.class, () -> PoolSettings.from(Settings.of(Map.of())));
        assertEquals("DB_POOL_SIZE is not set and has no default under 'db.pool.size' in application.yaml",
                e.getMessage());
        assertEquals(7, Settings.of(Map.of("DB_POOL_SIZE", "7")).requireInt("DB_POOL_SIZE", 0, 10),
                "the environment alone is enough");
    }

    @Test
    void authStoreResolution() {
        assertEquals(new DatabaseSettings.Source("AUTH_DATABASE_URL", DatabaseSettings.AUTH_DEFAULT),
                DatabaseSettings.auth(Settings.of(Map.of())));
        assertEquals(new DatabaseSettings.Source("DATABASE_URL", "postgresql://a@b/c"),
                DatabaseSettings.auth(Settings.of(Map.of("DATABASE_URL", "postgresql://a@b/c"))));
        assertEquals(new DatabaseSettings.Source("AUTH_DATABASE_URL", "postgresql://x@y/z"),
                DatabaseSettings.auth(Settings.of(Map.of("DATABASE_URL", "postgresql://a@b/c",
                        "AUTH_DATABASE_URL", "postgresql://x@y/z"))));
        assertEquals(new DatabaseSettings.Source("DATABASE_URL", DatabaseSettings.AGENT_DEFAULT),
                DatabaseSettings.agent(Settings.of(Map.of())));
        // the original's defaults (seed: agent on the compose network, auth's last resort on localhost)
        assertEquals("dataland-postgres", DatabaseSettings.agent(Settings.of(Map.of())).parse().host());
        assertEquals("localhost", DatabaseSettings.auth(Settings.of(Map.of())).parse().host());
    }
}
