package io.dataland.kit.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every accepted DATABASE_URL form, and malformed ones that fail clearly without leaking the password. */
class DatabaseUrlTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            postgresql+asyncpg://dataland:dataland@dataland-postgres:5432/dataland | jdbc:postgresql://dataland-postgres:5432/dataland | dataland | dataland
            postgresql+psycopg2://app:pw@db.internal/dataland                      | jdbc:postgresql://db.internal:5432/dataland        | app      | pw
            postgresql://app@db:6543/dataland?sslmode=require                      | jdbc:postgresql://db:6543/dataland?sslmode=require | app      | NULL
            postgres://app:p%40ss%3Aw%2Fd@db/dataland                              | jdbc:postgresql://db:5432/dataland                 | app      | p@ss:w/d
            jdbc:postgresql://db:5432/dataland?user=app&password=pw&sslmode=verify-full | jdbc:postgresql://db:5432/dataland?sslmode=verify-full | app | pw
            postgresql://app:pw@[::1]:5433/dataland                                | jdbc:postgresql://[::1]:5433/dataland              | app      | pw
            postgresql://app:pw@[2001:db8::10]/dataland                            | jdbc:postgresql://[2001:db8::10]:5432/dataland     | app      | pw
            postgresql+asyncpg://app:pw@db/dataland?ssl=require                    | jdbc:postgresql://db:5432/dataland?sslmode=require | app      | pw
            POSTGRESQL://app:pw@db/dataland                                        | jdbc:postgresql://db:5432/dataland                 | app      | pw
            postgresql://app:a+b@db/dataland                                       | jdbc:postgresql://db:5432/dataland                 | app      | a+b
            postgresql://app:@db/dataland                                          | jdbc:postgresql://db:5432/dataland                 | app      | ''
            postgresql://db/dataland?application_name=x&connect_timeout=5          | jdbc:postgresql://db:5432/dataland?application_name=x&connect_timeout=5 | NULL | NULL
            postgresql://us%65r:pw@10.0.0.7:5432/my%20db                           | jdbc:postgresql://10.0.0.7:5432/my%20db            | user     | pw
            """)
    void acceptsEveryDocumentedForm(String raw, String jdbc, String user, String password) {
        DatabaseUrl url = DatabaseUrl.parse("DATABASE_URL", raw);
        assertEquals(jdbc, url.jdbcUrl());
        assertEquals(user, url.user());
        assertEquals(password, url.password());
        if (password != null && !password.isEmpty() && !password.equals(user)) {
            assertFalse(url.toString().contains(password), "toString must not show the password");
            assertFalse(url.redacted().contains(password), "redacted() must not show the password");
            assertFalse(url.jdbcUrl().contains("password"), "the JDBC URL carries no password");
        }
    }

    @Test
    void keepsHostPortAndDatabase() {
        DatabaseUrl url = DatabaseUrl.parse("DATABASE_URL", "postgresql://u:p@[fe80::1%25eth0]:6000/app");
        assertEquals("fe80::1%eth0", url.host());
        assertEquals(6000, url.port());
        assertEquals("app", url.database());
    }

    @Test
    void redactedShowsUserButNotPassword() {
        DatabaseUrl url = DatabaseUrl.parse("DATABASE_URL", "postgresql://app:s3cr3t@db:5432/dataland");
        assertEquals("postgresql://app:***@db:5432/dataland", url.redacted());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "mysql://u:s3cr3t@db/dataland",
        "postgresql//u:s3cr3t@db/dataland",
        "postgresql://u:s3cr3t@/dataland",
        "postgresql://u:s3cr3t@db:abc/dataland",
        "postgresql://u:s3cr3t@db:70000/dataland",
        "postgresql://u:s3cr3t@db:0/dataland",
        "postgresql://u:s3cr3t@db:5432",
        "postgresql://u:s3cr3t@db:5432/",
        "postgresql://u:s3cr3t@[::1/dataland",
        "postgresql://u:s3cr3t%zz@db/dataland",
        "postgresql://u:s3cr3t@db/dataland#frag",
        "postgresql://u:s3cr3t@db1,db2/dataland",
        "postgresql://u:s3 cr3t@db/dataland",
        "postgresql://u:s3cr3t@db/dataland?sslmode",
        "postgresql://u:s3cr3t@db$x/dataland",
        "postgresql://u:s3cr3t@[not-v6]/dataland",
        "s3cr3t",
        "http://u:s3cr3t@db/dataland",
    })
    void rejectsMalformedUrlsWithoutLeakingThePassword(String raw) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatabaseUrl.parse("DATABASE_URL", raw));
        assertTrue(e.getMessage().startsWith("DATABASE_URL "), "names the variable: " + e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t"), "leaks the password: " + e.getMessage());
        assertFalse(e.getMessage().contains("s3 cr3t"), "leaks the password: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void rejectsEmpty(String raw) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatabaseUrl.parse("AUTH_DATABASE_URL", raw));
        assertEquals("AUTH_DATABASE_URL is empty", e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse("DATABASE_URL", null));
    }

    @Test
    void noUserMeansNoCredentials() {
        DatabaseUrl url = DatabaseUrl.parse("DATABASE_URL", "postgresql://db/dataland");
        assertNull(url.user());
        assertTrue(url.passwordIfAny().isEmpty());
    }
}
