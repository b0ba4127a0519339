package io.dataland.kit.db;

import io.dataland.kit.ServiceBoot;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.Settings;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;

/** Booting, warning and failing to connect log no password, at any level. */
@ExtendWith(EmbeddedPostgresExtension.class)
class NoSecretsInLogsTest {

    private final List<String> lines = new ArrayList<>();
    private final Handler capture = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            synchronized (lines) {
                lines.add(formatter.format(record));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level rootLevel;

    @BeforeEach
    void capture() {
        Logger root = Logger.getLogger("");
        rootLevel = root.getLevel();
        root.setLevel(Level.ALL);
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
    }

    @AfterEach
    void release() {
        Logger root = Logger.getLogger("");
        root.removeHandler(capture);
        root.setLevel(rootLevel);
    }

    @Test
    void bootWithWarningsAndAFailedLoginLogsNoPassword(TestDatabase db) {
        // the real server's password, in a URL the guard warns about (loopback) in development
        String url = db.databaseUrl();
        try (HikariDataSource ds = ServiceBoot.openPool("secrets-test", Settings.load(Map.of("DATABASE_URL", url,
                "DB_POOL_SIZE", "1", "DB_MAX_OVERFLOW", "1"), "kit-defaults.yaml"), CredentialGuard.Service.AGENT)) {
            assertTrue(ds.isRunning());
        }
        // (the embedded server trusts loopback logins, so fail the login with an unknown role instead)
        String wrong = url.replace("dataland:" + db.password() + "@", "nobody:Wr0ng-Secret-77@");
        assertThrows(RuntimeException.class, () -> ServiceBoot.openPool("secrets-test-2", Settings.load(Map.of(
                "DATABASE_URL", wrong, "DB_POOL_SIZE", "1", "DB_MAX_OVERFLOW", "0", "DB_POOL_TIMEOUT", "2"), "kit-defaults.yaml"),
                CredentialGuard.Service.AGENT));
        String all;
        synchronized (lines) {
            all = String.join("", lines);
        }
        assertTrue(all.contains("secrets-test"), "the capture saw the boot: " + all.length() + " chars");
        assertFalse(all.contains(db.password()), "a log line carries the password");
        assertFalse(all.contains("Wr0ng-Secret-77"), "a log line carries the wrong password");
    }
}
