package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.auth.password.PasswordHasher;
import io.dataland.kit.ServiceBoot;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.Settings;
import io.dataland.kit.telemetry.Tracing;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code auth.jar wrap-legacy-hashes}: legacy sha256 rows become Argon2id over their sha256, log in (and
 * are then re-hashed plainly), refuse a wrong password, and a second run changes nothing; a login that
 * re-hashes a row between the wrap's read and its write keeps its plain Argon2id.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class WrapLegacyHashesTest {

    private static TestDatabase db;
    private static AuthFixture auth;
    private static Settings settings;

    @BeforeAll
    static void start(TestDatabase database) throws Exception {
        db = database;
        Path dataDir = Files.createTempDirectory("auth-data");
        Map<String, String> env = Map.of("LOGIN_LOCK_ACCOUNT_FAILURES", "100", "LOGIN_LOCK_ADDRESS_FAILURES", "1000");
        auth = AuthFixture.start(db, dataDir, env);
        settings = AuthFixture.settings(db, dataDir, env);
    }

    @AfterAll
    static void stop() {
        auth.close();
    }

    @Test
    void wrappedRowsLogInAndAreThenRehashedPlainlyAndASecondRunChangesNothing() throws Exception {
        String legacy = AuthFixture.insertLegacy(db, "wrap-sub-1", "wrapped@example.org", "s4lt", "wrapped password");
        AuthFixture.insertLegacy(db, "wrap-sub-2", "wrapped2@example.org", "other", "second password");
        String[] out = command();
        assertTrue(out[0].contains("2 legacy rows wrapped, 0 changed meanwhile"), out[0]);
        assertFalse(out[0].contains(legacy) || out[0].contains("$argon2"), "counts only, never a hash: " + out[0]);
        String[] wrapped = row("wrapped@example.org");
        assertTrue(wrapped[0].startsWith("$wrapped-sha256$argon2id$v=19$m=65536,t=3,p=4$"), wrapped[0]);
        assertEquals("s4lt", wrapped[1], "the legacy salt stays: the login needs it for the sha256");

        String[] again = command();
        assertTrue(again[0].contains("0 legacy rows wrapped, 0 changed meanwhile (left alone), 2 wrapped rows"), again[0]);
        assertEquals(wrapped[0], row("wrapped@example.org")[0], "the second run changed nothing");

        AuthApiContractTest.assertError(auth.login("wrapped@example.org", "wrong password"), 401, "invalid_credentials");
        assertEquals(wrapped[0], row("wrapped@example.org")[0], "a wrong password leaves the wrapped row alone");

        HttpResponse<String> ok = auth.login("wrapped@example.org", "wrapped password");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("wrap-sub-1", AuthFixture.json(ok).get("sub").asText());
        String[] after = row("wrapped@example.org");
        assertTrue(after[0].startsWith("$argon2id$v=19$m=65536,t=3,p=4$"), after[0]);
        assertEquals(PasswordHasher.ARGON2_SALT, after[1]);
        assertEquals(200, auth.login("wrapped@example.org", "wrapped password").statusCode());
        assertTrue(command()[0].contains("0 legacy rows wrapped, 0 changed meanwhile (left alone), 1 wrapped rows"));
    }

    @Test
    void aLoginThatRehashesARowDuringTheWrapKeepsItsPlainArgon2id() throws Exception {
        AuthFixture.insertLegacy(db, "race-sub-1", "racer@example.org", "r4ce", "racing password");
        AtomicInteger logins = new AtomicInteger();
        try (HikariDataSource dataSource = ServiceBoot.openPool("wrap-test", settings, CredentialGuard.Service.AUTH)) {
            PasswordHasher hasher = new PasswordHasher();
            // between the wrap's read and its write, the owner logs in (re-hashing the legacy row)
            WrapLegacyCommand.Result result = WrapLegacyCommand.wrapAll(
                    AuthDatabase.unitOfWork(dataSource, Tracing.off()), legacyHex -> {
                        if (logins.getAndIncrement() == 0) {
                            assertEquals(200, auth.login("racer@example.org", "racing password").statusCode());
                        }
                        return hasher.wrapLegacy(legacyHex);
                    }, 10, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertEquals(new WrapLegacyCommand.Result(0, 1), result, "the row changed meanwhile is left alone");
        }
        String[] after = row("racer@example.org");
        assertTrue(after[0].startsWith("$argon2id$"), "the login's plain hash stands: " + after[0]);
        assertEquals(200, auth.login("racer@example.org", "racing password").statusCode());
    }

    @Test
    void badArgumentsAreAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, WrapLegacyCommand.run("wrap-legacy-hashes", new String[] {"--batch", "0"}, settings, out, errors));
        assertEquals(2, WrapLegacyCommand.run("wrap-legacy-hashes", new String[] {"now"}, settings, out, errors));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: auth wrap-legacy-hashes [--batch N]"));
    }

    /** Runs the command (batches of 1, so the batching is exercised); its output and error output. */
    private static String[] command() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = WrapLegacyCommand.run("wrap-legacy-hashes", new String[] {"--batch", "1"}, settings,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    private static String[] row(String email) {
        return AuthFixture.hashAndSalt(db, email);
    }
}
