package io.dataland.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Map;

import io.dataland.auth.password.LibArgon2;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server on each Argon2id implementation ({@code ARGON2_IMPL}): signup, login and a wrong password
 * over HTTP, and a hash written on one path logs in on the other (the same PHC string either way).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class Argon2ImplLoginTest {

    @ParameterizedTest
    @ValueSource(strings = {"native", "java"})
    void signupOnOneImplementationLogsInOnEither(String impl, TestDatabase db) {
        boolean libargon2 = LibArgon2.load(LibArgon2.CANDIDATES, new ArrayList<>()).isPresent();
        assumeTrue(libargon2 || impl.equals("java"), "skipped: libargon2 is not installed (Debian: libargon2-1)");
        String other = impl.equals("native") ? "java" : "native";
        String email = impl + "@example.org";
        try (AuthFixture auth = AuthFixture.start(db, Map.of("ARGON2_IMPL", impl))) {
            auth.signup(email, "a long enough password"); // 201 or an AssertionError
            assertEquals(200, auth.login(email, "a long enough password").statusCode());
            assertEquals(401, auth.login(email, "not the password").statusCode());
        }
        if (!libargon2) {
            return; // the fallback alone: nothing to cross-check against
        }
        try (AuthFixture auth = AuthFixture.start(db, Map.of("ARGON2_IMPL", other))) {
            assertEquals(200, auth.login(email, "a long enough password").statusCode(), "written by " + impl);
            assertEquals(401, auth.login(email, "not the password").statusCode());
        }
    }
}
