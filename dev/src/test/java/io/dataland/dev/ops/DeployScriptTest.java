package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compose/deploy.sh (the seed's DAT-291) against a stub docker that records its calls, with the real
 * agent check-env behind the stub's {@code docker run}: first deploy, refused .env, good .env,
 * credentials that disagree, placeholders, and a container that turns unhealthy.
 */
class DeployScriptTest {

    private static final String ROTATED = "4f1c9a0d7e2b6c35";

    @TempDir
    Path dir;

    private Path envFile(String user, String password, String databaseUrl, String authUrl) throws IOException {
        return Files.writeString(dir.resolve("prod.env"), String.join("\n",
                "# production",
                "APP_ENV=production",
                "POSTGRES_USER=" + user,
                "POSTGRES_PASSWORD=" + password,
                "POSTGRES_DB=dataland",
                "DATABASE_URL=" + databaseUrl,
                authUrl == null ? "" : "AUTH_DATABASE_URL=" + authUrl, ""));
    }

    private Path goodEnv() throws IOException {
        return envFile("svc", ROTATED, "postgresql+asyncpg://svc:" + ROTATED + "@dataland-postgres:5432/dataland",
                "postgresql://svc:" + ROTATED + "@dataland-postgres:5432/dataland");
    }

    private static void assertInOrder(List<String> calls, String... prefixes) {
        assertEquals(prefixes.length, calls.size(), "docker calls: " + calls);
        for (int i = 0; i < prefixes.length; i++) {
            assertTrue(calls.get(i).startsWith(prefixes[i]), "call " + i + " should start with '" + prefixes[i] + "': " + calls);
        }
    }

    @Test
    void firstDeploySkipsTheGuardWithAMessageThenBuildsAndWaitsForHealth() throws IOException {
        DockerStub docker = new DockerStub(dir).with("STUB_IMAGE_PRESENT", "0");
        Path env = goodEnv();
        Ops.Result result = docker.run("deploy.sh", "--env-file", env.toString());
        assertEquals(0, result.exit(), result.all());
        assertTrue(result.stdout().contains("no dataland/agent:latest image yet (first deploy): skipping"), result.stdout());
        List<String> calls = docker.calls();
        assertEquals("image inspect dataland/agent:latest", calls.getFirst());
        assertEquals("compose --env-file " + env + " -f " + Ops.composeDir().resolve("compose.yml") + " up -d --build --remove-orphans", calls.get(1));
        assertFalse(calls.stream().anyMatch(c -> c.startsWith("run")), "no check-env without an image: " + calls);
        // one "starting" poll, then healthy, for each of the three containers
        assertEquals(List.of("dataland-postgres", "dataland-auth", "dataland-agent", "dataland-postgres", "dataland-auth", "dataland-agent"),
                calls.subList(2, calls.size()).stream().map(c -> c.substring(c.lastIndexOf(' ') + 1)).toList());
        assertTrue(result.stdout().contains("deployed: dataland-postgres dataland-auth dataland-agent healthy"), result.stdout());
    }

    @Test
    void aRefusedEnvAbortsBeforeAnyRebuild() throws IOException {
        DockerStub docker = new DockerStub(dir).with("STUB_IMAGE_PRESENT", "1");
        // agrees with itself, but it is the publicly documented pair: only the real guard catches it
        Path env = envFile("dataland", "dataland", "postgresql+asyncpg://dataland:dataland@dataland-postgres:5432/dataland", null);
        Ops.Result result = docker.run("deploy.sh", "--env-file", env.toString());
        assertEquals(1, result.exit(), result.all());
        assertTrue(result.all().contains("[default-credentials]"), "the guard's finding is shown: " + result.all());
        assertTrue(result.stderr().contains("ABORT: check-env from dataland/agent:latest refused"), result.stderr());
        assertInOrder(docker.calls(), "image inspect dataland/agent:latest",
                "run --rm -i --network none dataland/agent:latest check-env --env-file /dev/stdin --production");
    }

    @Test
    void aGoodEnvIsCheckedByTheLastImageThenRebuiltStartedAndAwaited() throws IOException {
        DockerStub docker = new DockerStub(dir).with("STUB_IMAGE_PRESENT", "1").with("STUB_STARTING_POLLS", "3");
        Path env = goodEnv();
        Ops.Result result = docker.run("deploy.sh", "--env-file", env.toString());
        assertEquals(0, result.exit(), result.all());
        assertTrue(result.stdout().contains("passes the credential guard"), result.stdout());
        List<String> calls = docker.calls();
        assertEquals("image inspect dataland/agent:latest", calls.get(0));
        assertEquals("run --rm -i --network none dataland/agent:latest check-env --env-file /dev/stdin --production", calls.get(1));
        assertTrue(calls.get(2).startsWith("compose --env-file " + env) && calls.get(2).endsWith("up -d --build --remove-orphans"), calls.get(2));
        assertEquals(3 * 4, calls.size() - 3, "3 starting polls + 1 healthy poll per container: " + calls);
        assertFalse(result.all().contains(ROTATED), "the password is never printed");
    }

    @Test
    void credentialsThatDisagreeAbortBeforeDockerIsCalled() throws IOException {
        DockerStub docker = new DockerStub(dir).with("STUB_IMAGE_PRESENT", "1");
        Path env = envFile("svc", ROTATED, "postgresql://svc:" + ROTATED + "@dataland-postgres:5432/dataland",
                "postgresql://svc:an-older-password@dataland-postgres:5432/dataland");
        Ops.Result result = docker.run("deploy.sh", "--env-file", env.toString());
        assertEquals(1, result.exit(), result.all());
        assertTrue(result.stderr().contains("AUTH_DATABASE_URL disagrees with the postgres role: its password differs from POSTGRES_PASSWORD"), result.stderr());
        assertFalse(result.all().contains("an-older-password") || result.all().contains(ROTATED), "no password printed");
        assertEquals(List.of(), docker.calls());

        Path wrongUser = envFile("svc", ROTATED, "postgresql://other:" + ROTATED + "@dataland-postgres:5432/dataland", null);
        Ops.Result user = docker.run("deploy.sh", "--env-file", wrongUser.toString());
        assertEquals(1, user.exit());
        assertTrue(user.stderr().contains("DATABASE_URL disagrees with the postgres role: its user differs from POSTGRES_USER"), user.stderr());

        // percent-encoded passwords are compared decoded
        Path encoded = envFile("svc", "p@ss:word", "postgresql://svc:p%40ss%3Aword@dataland-postgres:5432/dataland",
                "jdbc:postgresql://dataland-postgres:5432/dataland?user=svc&password=p%40ss%3Aword");
        Ops.Result ok = docker.with("STUB_IMAGE_PRESENT", "0").run("deploy.sh", "--env-file", encoded.toString());
        assertEquals(0, ok.exit(), ok.all());
    }

    @Test
    void theExampleEnvWithItsPlaceholdersIsRefused() {
        DockerStub docker = new DockerStub(dir).with("STUB_IMAGE_PRESENT", "1");
        Ops.Result result = docker.run("deploy.sh", "--env-file", Ops.composeDir().resolve(".env.example").toString());
        assertEquals(1, result.exit(), result.all());
        assertTrue(result.stderr().contains("CHANGE_ME placeholders: POSTGRES_PASSWORD DATABASE_URL AUTH_DATABASE_URL"), result.stderr());
        assertEquals(List.of(), docker.calls());
    }

    @Test
    void aContainerThatTurnsUnhealthyFailsTheDeploy() throws IOException {
        DockerStub docker = new DockerStub(dir).with("STUB_IMAGE_PRESENT", "1")
                .with("STUB_FINAL_FOR", "dataland-agent").with("STUB_FINAL_STATUS", "unhealthy");
        Ops.Result result = docker.run("deploy.sh", "--env-file", goodEnv().toString());
        assertEquals(1, result.exit(), result.all());
        assertTrue(result.stderr().contains("ABORT: dataland-agent is unhealthy"), result.stderr());

        DockerStub slow = new DockerStub(dir.resolve("slow")).with("STUB_IMAGE_PRESENT", "0")
                .with("STUB_STARTING_POLLS", "1000000").with("DEPLOY_HEALTH_TIMEOUT", "1").with("DEPLOY_POLL_SECONDS", "0.2");
        Ops.Result timeout = slow.run("deploy.sh", "--env-file", goodEnv().toString());
        assertEquals(1, timeout.exit(), timeout.all());
        assertTrue(timeout.stderr().contains("not healthy within 1s: dataland-postgres=starting"), timeout.stderr());
    }

    @Test
    void aMissingEnvFileOrUnknownArgumentIsAnError() {
        DockerStub docker = new DockerStub(dir);
        Ops.Result missing = docker.run("deploy.sh", "--env-file", dir.resolve("nope.env").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.stderr().contains("no env file at"), missing.stderr());
        assertEquals(2, docker.run("deploy.sh", "--bogus").exit());
        assertEquals(List.of(), docker.calls());
    }
}
