package io.dataland.kit.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

import io.dataland.kit.config.CredentialGuard.Service;
import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;

/**
 * The connected-role half of the guard on a real server: production refuses a pool that connected as a
 * superuser ({@code pg_roles.rolsuper}) and boots as an ordinary role; development only warns.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class SuperuserGuardTest {

    private static final String URL = "postgresql://svc:R0tated-9f2c@dataland-postgres:5432/dataland";

    private static PGSimpleDataSource as(TestDatabase db, String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(db.jdbcUrl());
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }

    @Test
    void productionRefusesASuperuserAndNamesTheRule(TestDatabase db) {
        Settings production = Settings.of(Map.of("APP_ENV", "production", "DATABASE_URL", URL, "AUTH_DATABASE_URL", URL));
        // zonky's superuser is "postgres", trusted on the loopback interface
        PGSimpleDataSource superuser = as(db, "postgres", null);
        for (Service service : Service.values()) {
            var e = assertThrows(CredentialGuard.BootRefusedException.class,
                    () -> CredentialGuard.enforceRole(production, service, superuser));
            assertTrue(e.getMessage().contains("[superuser]") && e.getMessage().contains("'postgres', a superuser"), e.getMessage());
            assertEquals(CredentialGuard.Rule.SUPERUSER, e.violations().getFirst().rule());
            assertFalse(e.getMessage().contains("R0tated-9f2c"), e.getMessage());
        }
        assertDoesNotThrow(() -> CredentialGuard.enforceRole(production, Service.AGENT, as(db, EmbeddedPg.APP_USER, db.password())));
    }

    @Test
    void developmentOnlyWarns(TestDatabase db) {
        Settings development = Settings.of(Map.of("APP_ENV", "development", "DATABASE_URL", URL));
        assertDoesNotThrow(() -> CredentialGuard.enforceRole(development, Service.AGENT, as(db, "postgres", null)));
    }
}
