package io.dataland.kit.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.dataland.kit.config.CredentialGuard.Rule;
import io.dataland.kit.config.CredentialGuard.Service;

/** The guard matrix: APP_ENV x connection string -> boots or refuses, with the rule named. */
class CredentialGuardTest {

    private static final String GOOD = "postgresql://app:R0tated-9f2c@dataland-postgres:5432/dataland";

    private static Settings env(String... pairs) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                map.put(pairs[i], pairs[i + 1]);
            }
        }
        return Settings.of(map);
    }

    private static Set<String> rules(Settings settings, Service service) {
        return CredentialGuard.check(settings, service).stream().map(v -> v.rule().id()).collect(Collectors.toSet());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            postgresql://app:R0tated-9f2c@dataland-postgres:5432/dataland           | ''
            postgresql+asyncpg://app:R0tated-9f2c@db.example.com/dataland           | ''
            postgresql://app:R0tated-9f2c@10.0.0.5:5432/dataland                    | ''
            postgresql+asyncpg://dataland:dataland@dataland-postgres:5432/dataland  | default-credentials
            jdbc:postgresql://dataland-postgres/dataland?user=dataland&password=dataland | default-credentials
            postgresql://dataland_agent:dataland@dataland-postgres:5432/dataland    | default-credentials
            postgresql://dataland_auth:dataland_auth@dataland-postgres:5432/dataland | default-credentials
            postgresql://dataland_agent:R0tated-9f2c@dataland-postgres:5432/dataland | ''
            postgresql://app:R0tated-9f2c@localhost:5432/dataland                   | loopback-host
            postgresql://app:R0tated-9f2c@LOCALHOST/dataland                        | loopback-host
            postgresql://app:R0tated-9f2c@localhost./dataland                       | loopback-host
            postgresql://app:R0tated-9f2c@127.0.0.1/dataland                        | loopback-host
            postgresql://app:R0tated-9f2c@127.8.9.10/dataland                       | loopback-host
            postgresql://app:R0tated-9f2c@[::1]:5432/dataland                       | loopback-host
            postgresql://app:R0tated-9f2c@[0:0:0:0:0:0:0:1]/dataland                | loopback-host
            postgresql://app:R0tated-9f2c@[::ffff:127.0.0.1]/dataland               | loopback-host
            postgresql://dataland:dataland@localhost:5432/dataland                  | default-credentials loopback-host
            mysql://app:R0tated-9f2c@db/dataland                                    | malformed-url
            """)
    void productionRefusesWithTheRuleNamed(String url, String expected) {
        Settings settings = env("APP_ENV", "production", "DATABASE_URL", url);
        Set<String> want = expected.isBlank() ? Set.of() : Set.of(expected.split(" "));
        assertEquals(want, rules(settings, Service.AGENT));
        if (want.isEmpty()) {
            assertDoesNotThrow(() -> CredentialGuard.enforce(settings, Service.AGENT));
        } else {
            var e = assertThrows(CredentialGuard.BootRefusedException.class,
                    () -> CredentialGuard.enforce(settings, Service.AGENT));
            for (String rule : want) {
                assertTrue(e.getMessage().contains("[" + rule + "]"), e.getMessage());
            }
            assertFalse(e.getMessage().contains("R0tated-9f2c"), "leaks the password: " + e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"development", "test", "ci"})
    void otherEnvironmentsWarnAndGoOn(String appEnv) {
        Settings settings = env("APP_ENV", appEnv, "DATABASE_URL", "postgresql://dataland:dataland@localhost/dataland");
        assertEquals(Set.of("default-credentials", "loopback-host"), rules(settings, Service.AGENT));
        assertDoesNotThrow(() -> CredentialGuard.enforce(settings, Service.AGENT));
    }

    @Test
    void unsetAppEnvIsDevelopment() {
        Settings settings = env("DATABASE_URL", "postgresql://dataland:dataland@localhost/dataland");
        assertFalse(settings.production());
        assertDoesNotThrow(() -> CredentialGuard.enforce(settings, Service.AGENT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void productionRefusesAnEmptyOrUnsetUrl(String blank) {
        for (Settings settings : List.of(env("APP_ENV", "production", "DATABASE_URL", blank), env("APP_ENV", "production"))) {
            var e = assertThrows(CredentialGuard.BootRefusedException.class,
                    () -> CredentialGuard.enforce(settings, Service.AGENT));
            assertTrue(e.getMessage().contains("[url-empty]"), e.getMessage());
            assertTrue(e.violations().stream().anyMatch(v -> v.rule() == Rule.URL_EMPTY));
        }
    }

    @Test
    void productionIsCaseInsensitive() {
        Settings settings = env("APP_ENV", "Production", "DATABASE_URL", "postgresql://dataland:dataland@db/dataland");
        assertThrows(CredentialGuard.BootRefusedException.class, () -> CredentialGuard.enforce(settings, Service.AGENT));
    }

    @Test
    void authChecksItsOwnUrlFirstThenDatabaseUrl() {
        Settings ownGood = env("APP_ENV", "production", "AUTH_DATABASE_URL", GOOD,
                "DATABASE_URL", "postgresql://dataland:dataland@localhost/dataland");
        assertEquals(Set.of(), rules(ownGood, Service.AUTH));
        assertEquals(Set.of("default-credentials", "loopback-host"), rules(ownGood, Service.AGENT));

        Settings fallsBack = env("APP_ENV", "production", "DATABASE_URL", GOOD);
        assertEquals(Set.of(), rules(fallsBack, Service.AUTH));

        Settings neither = env("APP_ENV", "production");
        assertEquals(Set.of("url-empty", "default-credentials", "loopback-host"), rules(neither, Service.AUTH));
        var e = assertThrows(CredentialGuard.BootRefusedException.class,
                () -> CredentialGuard.enforce(neither, Service.AUTH));
        assertTrue(e.getMessage().contains("AUTH_DATABASE_URL"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"localhost,true", "localhost.,true", "127.0.0.1,true", "127.255.0.9,true", "::1,true",
                "dataland-postgres,false", "10.0.0.1,false", "128.0.0.1,false", "localhost.example.com,false",
                "2001:db8::1,false", "db.localhost,true"})
    void loopbackDetection(String host, boolean loopback) {
        assertEquals(loopback, CredentialGuard.isLoopback(host), host);
    }
}
