package io.dataland.auth.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataland.auth.AuthServer;
import io.dataland.kit.config.Settings;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The staff forms in a real headless chromium (Debian's chromium + chromedriver, installed by
 * {@code .ci/run}): sign up, sign in, a failed sign-in, with JavaScript playing no part, and the token
 * cookie as the browser actually stores it. Skipped only when the two binaries are absent.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class StaffFormsBrowserTest {

    @Test
    void aStaffMemberSignsUpFailsOnceSignsInChangesThePasswordAndSignsOut(TestDatabase db) throws Exception {
        String missing = "/usr/bin/chromium and /usr/bin/chromedriver are not installed"
                + " (apt-get install chromium chromium-driver; .ci/run does this)";
        // on a laptop a missing browser skips; in CI (which installs it) it is a failure, never a silent skip
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            assertTrue(WebDriver.available(), "CI=true: " + missing);
        }
        assumeTrue(WebDriver.available(), "skipped: " + missing);
        try (AuthServer server = AuthServer.start(Settings.load(Map.of("DATABASE_URL", db.databaseUrl(), "AUTH_PORT", "0",
                "AUTH_DATA_DIR", Files.createTempDirectory("auth-data").toString(), "DB_POOL_SIZE", "2",
                "LOGIN_LOCK_ACCOUNT_FAILURES", "100", "LOGIN_LOCK_ADDRESS_FAILURES", "1000"), "application.yaml"));
             WebDriver browser = WebDriver.start()) {
            String base = "http://localhost:" + server.port();

            browser.open(base + "/signup");
            assertTrue(browser.title().startsWith("Create a staff account"), browser.title());
            browser.type("#email", "  New.Staff@Example.org ");
            browser.type("#full_name", "New Staff");
            browser.type("#password", "a browser password");
            browser.click("button[type=submit]");
            assertEquals(base + "/signup", browser.url(), "the answer is a page, not a redirect");
            assertTrue(browser.text("#signed-in").contains("new.staff@example.org"), browser.text("main"));
            JsonNode token = cookie(browser, StaffPagesService.TOKEN_COOKIE);
            assertTrue(token.get("httpOnly").asBoolean(), token.toString());
            assertTrue(token.get("secure").asBoolean(), token.toString());
            assertEquals("Strict", token.get("sameSite").asText(), token.toString());
            assertTrue(token.get("value").asText().startsWith("ey"), "a JWT is stored");
            assertFalse(browser.scriptSeesCookie(StaffPagesService.TOKEN_COOKIE), "HttpOnly: invisible to scripts");

            browser.open(base + "/login?next=https://evil.example/");
            browser.type("#email", "new.staff@example.org");
            browser.type("#password", "the wrong password");
            browser.click("button[type=submit]");
            assertEquals("Email or password is wrong.", browser.text("#error"));
            assertEquals("new.staff@example.org", browser.property("#email", "value"), "the email is kept");
            assertEquals("", browser.property("#password", "value"), "the password is not");

            browser.type("#password", "a browser password");
            browser.click("button[type=submit]");
            assertTrue(browser.text("#signed-in").contains("new.staff@example.org"), browser.text("main"));
            assertTrue(browser.url().startsWith(base + "/login"), "no redirect to " + browser.url());

            // change the password through the form, then sign out: both cookies are gone
            browser.click("#change-password");
            browser.type("#current_password", "a browser password");
            browser.type("#new_password", "a new browser password");
            browser.click("button[type=submit]");
            assertEquals("Your password has been changed.", browser.text("#password-changed"));
            browser.open(base + "/password");
            browser.click("#sign-out");
            assertEquals("You are signed out.", browser.text("#signed-out"));
            for (JsonNode c : browser.cookies()) {
                assertFalse(c.get("name").asText().equals(StaffPagesService.TOKEN_COOKIE), "token cookie cleared");
            }
            browser.open(base + "/login");
            browser.type("#email", "new.staff@example.org");
            browser.type("#password", "a new browser password");
            browser.click("button[type=submit]");
            assertTrue(browser.text("#signed-in").contains("new.staff@example.org"), "the new password works");
        }
    }

    private static JsonNode cookie(WebDriver browser, String name) throws Exception {
        for (JsonNode cookie : browser.cookies()) {
            if (cookie.get("name").asText().equals(name)) {
                return cookie;
            }
        }
        throw new AssertionError("the browser stored no " + name + " cookie: " + browser.cookies());
    }
}
