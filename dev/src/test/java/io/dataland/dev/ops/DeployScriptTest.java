package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;

/**
 * compose/deploy.sh against a stub docker that records its calls, with the real agent check-env behind
 * the stub's {@code docker run}: the order of the steps (build, check-env from the new image, postgres,
 * backup, info, migrate in a one-off container, start), where a failure stops it, the V11 backup guard
 * (and the agent's own guard told about the backup), credentials that disagree, placeholders, a
 * container that turns unhealthy, the cutover's existing volumes (cutover.compose.yml), and the database
 * roles check (with a real server behind the stub's {@code docker exec ... psql}).
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class DeployScriptTest {

    private static final String ROTATED = "4f1c9a0d7e2b6c35";

    @TempDir
    Path dir;

    private static final String AGENT_PW = "a7c3e9f1b2d4";
    private static final String AUTH_PW = "d8b2f0a4c6e1";

    private Path envFile(String user, String password, String databaseUrl, String authUrl) throws IOException {
        return envFile(user, password, "dataland", databaseUrl, authUrl);
    }

    private Path envFile(String user, String password, String db, String databaseUrl, String authUrl) throws IOException {
        return Files.writeString(dir.resolve("prod.env"), String.join("\n",
                "# production",
                "APP_ENV=production",
                "POSTGRES_USER=" + user,
                "POSTGRES_PASSWORD=" + password,
                "POSTGRES_DB=" + db,
                "AGENT_DB_PASSWORD=" + AGENT_PW,
                "AUTH_DB_PASSWORD=" + AUTH_PW,
                "MONITOR_DB_PASSWORD=e5f6a7b8c9d0",
                "DATABASE_URL=" + databaseUrl,
                authUrl == null ? "" : "AUTH_DATABASE_URL=" + authUrl, ""));
    }

    private Path goodEnv() throws IOException {
        return envFile("svc", ROTATED, "postgresql+asyncpg://dataland_agent:" + AGENT_PW + "@dataland-postgres:5432/dataland",
                "postgresql://dataland_auth:" + AUTH_PW + "@dataland-postgres:5432/dataland");
    }

    private static void assertInOrder(List<String> calls, String... prefixes) {
        assertEquals(prefixes.length, calls.size(), "docker calls: " + calls);
        for (int i = 0; i < prefixes.length; i++) {
            assertTrue(calls.get(i).startsWith(prefixes[i]), "call " + i + " should start with '" + prefixes[i] + "': " + calls);
        }
    }

    /** The step each docker call belongs to, consecutive repeats folded (health polls, backup's two execs). */
    private static List<String> steps(List<String> calls) {
        List<String> steps = new java.util.ArrayList<>();
        for (String call : calls) {
            String step = call.endsWith(" build") ? "build"
                    : call.startsWith("run ") && call.contains(" check-env ") ? "check-env"
                    : call.endsWith(" up -d postgres") ? "start postgres"
                    : call.startsWith("exec ") && call.contains(" psql ") ? "roles"
                    : call.startsWith("exec ") ? "backup"
                    : call.endsWith(" run --rm --no-deps agent info") ? "info"
                    : call.endsWith(" run --rm --no-deps agent migrate")
                            || call.endsWith(" run --rm --no-deps agent migrate --i-have-a-backup") ? "migrate"
                    : call.endsWith(" up -d --remove-orphans") ? "start services"
                    : call.startsWith("inspect ") ? "health"
                    : "?" + call;
            if (steps.isEmpty() || !steps.getLast().equals(step)) {
                steps.add(step);
            }
        }
        return steps;
    }

    private DockerStub stub(String name) throws IOException {
        return new DockerStub(dir.resolve(name)).with("STUB_FAKE_PG", "1")
                .with("BACKUP_DIR", Files.createDirectories(dir.resolve(name + "-backups")).toString());
    }

    private static final String V11_PENDING = "current: (no Flyway history)\\nhead:    V13\\nadoption: Alembic revision 0010_user_profile_fields: migrate baselines at V10\\n"
            + "pending:\\n  V11 slim tickets\\n  V12 child fks cascade\\n  V13 child hash indexes\\n";

    @Test
    void aDeployBuildsFirstChecksTheNewImageBacksUpMigratesInAOneOffContainerThenStarts() throws IOException {
        DockerStub docker = stub("order");
        Path env = goodEnv();
        Ops.Result result = docker.run("deploy.sh", "--env-file", env.toString());
        assertEquals(0, result.exit(), result.all());
        List<String> calls = docker.calls();
        assertEquals(List.of("build", "check-env", "start postgres", "health", "roles", "backup", "info", "migrate", "start services", "health"),
                steps(calls), "docker calls: " + calls);
        String compose = "compose --env-file " + env + " -f " + Ops.composeDir().resolve("compose.yml");
        assertEquals(compose + " build", calls.getFirst());
        assertEquals("run --rm -i --network none dataland/agent:latest check-env --env-file /dev/stdin --production", calls.get(1));
        assertTrue(calls.contains("exec dataland-postgres pg_dump -Fc -U svc -d dataland"), calls.toString());
        assertTrue(calls.contains(compose + " run --rm --no-deps agent migrate"), calls.toString());
        assertTrue(result.stdout().contains("passes the credential guard"), result.stdout());
        assertTrue(result.stdout().contains("deployed: dataland-postgres dataland-auth dataland-agent healthy"), result.stdout());
        try (var backups = Files.list(dir.resolve("order-backups"))) {
            assertEquals(1, backups.filter(p -> p.getFileName().toString().matches("dataland-\\d{8}T\\d{6}Z\\.dump")).count());
        }
        assertFalse(result.all().contains(ROTATED), "the password is never printed");
    }

    @Test
    void aRefusedEnvAbortsAfterTheBuildBeforeAnythingStarts() throws IOException {
        DockerStub docker = stub("refused");
        // agrees with itself, but every password is the publicly documented development one: only the real guard catches it
        Path env = Files.writeString(dir.resolve("default.env"), String.join("\n", "APP_ENV=production",
                "POSTGRES_USER=dataland", "POSTGRES_PASSWORD=dataland", "POSTGRES_DB=dataland", "AGENT_DB_PASSWORD=dataland",
                "AUTH_DB_PASSWORD=dataland", "MONITOR_DB_PASSWORD=e5f6a7b8c9d0",
                "DATABASE_URL=postgresql+asyncpg://dataland_agent:dataland@dataland-postgres:5432/dataland",
                "AUTH_DATABASE_URL=postgresql://dataland_auth:dataland@dataland-postgres:5432/dataland", ""));
        Ops.Result result = docker.run("deploy.sh", "--env-file", env.toString());
        assertEquals(1, result.exit(), result.all());
        assertTrue(result.all().contains("[default-credentials]"), "the guard's finding is shown: " + result.all());
        assertTrue(result.stderr().contains("ABORT: check-env from dataland/agent:latest refused"), result.stderr());
        assertEquals(List.of("build", "check-env"), steps(docker.calls()));
    }

    @Test
    void aFailedBuildOrBackupOrMigrationStopsTheDeployThere() throws IOException {
        DockerStub build = stub("build").with("STUB_BUILD_EXIT", "1");
        Ops.Result built = build.run("deploy.sh", "--env-file", goodEnv().toString());
        assertEquals(1, built.exit(), built.all());
        assertTrue(built.stderr().contains("the images did not build; nothing was stopped or restarted"), built.stderr());
        assertEquals(List.of("build"), steps(build.calls()));

        DockerStub backup = stub("backup").with("STUB_PG_DUMP_EXIT", "1");
        Ops.Result backedUp = backup.run("deploy.sh", "--env-file", goodEnv().toString());
        assertEquals(1, backedUp.exit(), backedUp.all());
        assertTrue(backedUp.stderr().contains("the backup failed; nothing was migrated"), backedUp.stderr());
        assertEquals(List.of("build", "check-env", "start postgres", "health", "roles", "backup"), steps(backup.calls()));

        DockerStub migrate = stub("migrate").with("STUB_MIGRATE_EXIT", "1");
        Ops.Result migrated = migrate.run("deploy.sh", "--env-file", goodEnv().toString());
        assertEquals(1, migrated.exit(), migrated.all());
        assertTrue(migrated.stderr().contains("the migration failed; the services were not started"), migrated.stderr());
        assertEquals(List.of("build", "check-env", "start postgres", "health", "roles", "backup", "info", "migrate"), steps(migrate.calls()));
    }

    @Test
    void aPendingV11NeedsABackupNewerThanAnHourUnlessTheOperatorSaysSo() throws IOException {
        // no backup taken and none in BACKUP_DIR: refused before migrating
        DockerStub none = stub("none").with("STUB_AGENT_INFO", V11_PENDING);
        Ops.Result refused = none.run("deploy.sh", "--env-file", goodEnv().toString(), "--skip-backup");
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.stderr().contains("destructive migration V11 pending (it drops columns and tables) and no backup in "
                + dir.resolve("none-backups") + " is newer than 60 minutes"), refused.stderr());
        assertEquals(List.of("build", "check-env", "start postgres", "health", "roles", "info"), steps(none.calls()));

        // a backup two hours old does not count
        Path old = Files.writeString(dir.resolve("none-backups").resolve("dataland-20260101T000000Z.dump"), "PGDMP");
        assertTrue(old.toFile().setLastModified(System.currentTimeMillis() - 2 * 3600_000L));
        assertEquals(1, none.run("deploy.sh", "--env-file", goodEnv().toString(), "--skip-backup").exit());

        // unless told
        DockerStub told = stub("told").with("STUB_AGENT_INFO", V11_PENDING);
        Ops.Result ok = told.run("deploy.sh", "--env-file", goodEnv().toString(), "--skip-backup", "--i-have-a-backup");
        assertEquals(0, ok.exit(), ok.all());
        assertTrue(ok.stdout().contains("destructive migration V11 pending; going ahead on --i-have-a-backup"), ok.stdout());
        // ... and the agent's own V11 guard is told so
        assertTrue(told.calls().stream().anyMatch(c -> c.endsWith(" run --rm --no-deps agent migrate --i-have-a-backup")), told.calls().toString());

        // the backup the deploy takes itself is fresh enough
        DockerStub normal = stub("normal").with("STUB_AGENT_INFO", V11_PENDING);
        Ops.Result fresh = normal.run("deploy.sh", "--env-file", goodEnv().toString());
        assertEquals(0, fresh.exit(), fresh.all());
        assertTrue(fresh.stdout().matches("(?s).*destructive migration V11 pending; backup \\S+dataland-\\S+\\.dump is 0 minute\\(s\\) old.*"), fresh.stdout());
        assertTrue(normal.calls().stream().anyMatch(c -> c.endsWith(" run --rm --no-deps agent migrate --i-have-a-backup")), normal.calls().toString());
        assertEquals(List.of("build", "check-env", "start postgres", "health", "roles", "backup", "info", "migrate", "start services", "health"),
                steps(normal.calls()));
    }

    /** The cutover (docs/cutover.md): the old stack's volumes, taken as external through cutover.compose.yml. */
    @Test
    void withTheOldVolumesNamedEveryComposeCallAddsTheExternalVolumesOverride() throws IOException {
        Path env = goodEnv();
        Files.writeString(env, "POSTGRES_VOLUME=dataland-infrastructure_postgres-data\nAUTH_DATA_VOLUME=dataland-infrastructure_auth-data\n",
                java.nio.file.StandardOpenOption.APPEND);
        // through Debian's docker-compose 1.29 (the stub refuses what 1.29 lacks)
        DockerStub docker = stub("volumes").with("COMPOSE", "docker-compose");
        Ops.Result result = docker.run("deploy.sh", "--env-file", env.toString());
        assertEquals(0, result.exit(), result.all());
        assertTrue(result.stdout().contains("existing volumes, taken as external: postgres-data=dataland-infrastructure_postgres-data"
                + " auth-data=dataland-infrastructure_auth-data"), result.stdout());
        String files = "docker-compose --env-file " + env + " -f " + Ops.composeDir().resolve("compose.yml")
                + " -f " + Ops.composeDir().resolve("cutover.compose.yml") + " ";
        List<String> composeCalls = docker.calls().stream().filter(c -> c.startsWith("docker-compose ")).toList();
        assertEquals(5, composeCalls.size(), docker.calls().toString()); // build, up postgres, info, migrate, up
        assertTrue(composeCalls.stream().allMatch(c -> c.startsWith(files)), composeCalls.toString());

        // without them, compose.yml alone (a fresh install creates its own volumes)
        DockerStub fresh = stub("novolumes");
        assertEquals(0, fresh.run("deploy.sh", "--env-file", goodEnv().toString()).exit());
        assertTrue(fresh.calls().stream().noneMatch(c -> c.contains("cutover.compose.yml")), fresh.calls().toString());

        // one without the other is a mistake: refused before any docker call
        Path half = goodEnv();
        Files.writeString(half, "POSTGRES_VOLUME=dataland-infrastructure_postgres-data\n", java.nio.file.StandardOpenOption.APPEND);
        DockerStub halfStub = stub("half");
        Ops.Result refused = halfStub.run("deploy.sh", "--env-file", half.toString());
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.stderr().contains("POSTGRES_VOLUME and AUTH_DATA_VOLUME go together"), refused.stderr());
        assertEquals(List.of(), halfStub.calls());
    }

    @Test
    void credentialsThatDisagreeAbortBeforeDockerIsCalled() throws IOException {
        DockerStub docker = new DockerStub(dir).with("STUB_IMAGE_PRESENT", "1");
        Path env = envFile("svc", ROTATED, "postgresql://dataland_agent:" + AGENT_PW + "@dataland-postgres:5432/dataland",
                "postgresql://dataland_auth:an-older-password@dataland-postgres:5432/dataland");
        Ops.Result result = docker.run("deploy.sh", "--env-file", env.toString());
        assertEquals(1, result.exit(), result.all());
        assertTrue(result.stderr().contains("AUTH_DATABASE_URL disagrees with the dataland_auth role: its password differs from AUTH_DB_PASSWORD"),
                result.stderr());
        assertFalse(result.all().contains("an-older-password") || result.all().contains(ROTATED) || result.all().contains(AUTH_PW),
                "no password printed");
        assertEquals(List.of(), docker.calls());

        // the superuser of the old .env is refused for either service
        Path superuser = envFile("svc", ROTATED, "postgresql://svc:" + ROTATED + "@dataland-postgres:5432/dataland", null);
        Ops.Result user = docker.run("deploy.sh", "--env-file", superuser.toString());
        assertEquals(1, user.exit());
        assertTrue(user.stderr().contains("DATABASE_URL disagrees with the dataland_agent role: its user is not dataland_agent;"
                + "its password differs from AGENT_DB_PASSWORD"), user.stderr());

        // auth has a role of its own: no falling back to the agent's URL
        Path noAuth = envFile("svc", ROTATED, "postgresql://dataland_agent:" + AGENT_PW + "@dataland-postgres:5432/dataland", null);
        Ops.Result missing = docker.run("deploy.sh", "--env-file", noAuth.toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.stderr().contains("AUTH_DATABASE_URL is not set"), missing.stderr());
        assertEquals(List.of(), docker.calls());

        // the exporter's password has no URL for the guard to judge: its development default is refused here
        Path monitor = Files.writeString(dir.resolve("monitor.env"), Files.readString(goodEnv())
                .replace("MONITOR_DB_PASSWORD=e5f6a7b8c9d0", "MONITOR_DB_PASSWORD=dataland"));
        Ops.Result defaultMonitor = docker.run("deploy.sh", "--env-file", monitor.toString());
        assertEquals(1, defaultMonitor.exit());
        assertTrue(defaultMonitor.stderr().contains("MONITOR_DB_PASSWORD is the development default 'dataland'"), defaultMonitor.stderr());
        assertEquals(List.of(), docker.calls());

        // percent-encoded passwords are compared decoded
        Files.writeString(dir.resolve("encoded.env"), String.join("\n", "POSTGRES_USER=svc", "POSTGRES_PASSWORD=" + ROTATED,
                "POSTGRES_DB=dataland", "AGENT_DB_PASSWORD=p@ss:word", "AUTH_DB_PASSWORD=" + AUTH_PW, "MONITOR_DB_PASSWORD=m",
                "DATABASE_URL=postgresql://dataland_agent:p%40ss%3Aword@dataland-postgres:5432/dataland",
                "AUTH_DATABASE_URL=jdbc:postgresql://dataland-postgres:5432/dataland?user=dataland_auth&password=" + AUTH_PW, ""));
        Ops.Result ok = docker.with("STUB_FAKE_PG", "1").with("BACKUP_DIR", dir.toString())
                .run("deploy.sh", "--env-file", dir.resolve("encoded.env").toString());
        assertEquals(0, ok.exit(), ok.all());
    }

    @Test
    void theExampleEnvWithItsPlaceholdersIsRefused() {
        DockerStub docker = new DockerStub(dir).with("STUB_IMAGE_PRESENT", "1");
        Ops.Result result = docker.run("deploy.sh", "--env-file", Ops.composeDir().resolve(".env.example").toString());
        assertEquals(1, result.exit(), result.all());
        assertTrue(result.stderr().contains("CHANGE_ME placeholders: POSTGRES_PASSWORD AGENT_DB_PASSWORD AUTH_DB_PASSWORD MONITOR_DB_PASSWORD DATABASE_URL AUTH_DATABASE_URL"), result.stderr());
        assertEquals(List.of(), docker.calls());
    }

    /** A stub whose {@code docker exec dataland-postgres psql} is this machine's psql against {@code db}'s server. */
    private DockerStub realPg(String name, TestDatabase db) {
        return new DockerStub(dir.resolve(name)).with("PGHOST", "127.0.0.1").with("PGPORT", Integer.toString(db.server().port()))
                .with("PGPASSWORD", null).with("PGUSER", null).with("PGDATABASE", null);
    }

    @Test
    void theRoleCheckRefusesADatabaseNotAdoptedYetThenPassesOnceTheAdoptStepRan(TestDatabase db) throws Exception {
        Ops.requireTool("psql", "postgresql-client");
        // the Python stack's situation: every table belongs to the superuser the old services connected as
        try (Connection c = db.superuser(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE conversations (id text PRIMARY KEY); CREATE TABLE auth_server_users (id bigserial PRIMARY KEY, email text)");
        }
        // zonky's superuser is "postgres": the POSTGRES_USER deploy.sh checks as
        Path env = envFile("postgres", ROTATED, db.name(), "postgresql://dataland_agent:" + AGENT_PW + "@dataland-postgres:5432/" + db.name(),
                "postgresql://dataland_auth:" + AUTH_PW + "@dataland-postgres:5432/" + db.name());
        DockerStub before = realPg("roles-before", db);
        Ops.Result refused = before.run("deploy.sh", "--env-file", env.toString(), "--skip-backup");
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.stderr().contains("the database roles are not in place:"), refused.stderr());
        assertTrue(refused.stderr().contains("auth_server_users is owned by postgres, not dataland_auth;")
                && refused.stderr().contains("auth_server_users_id_seq is owned by postgres, not dataland_auth;")
                && refused.stderr().contains("conversations is owned by postgres, not dataland_agent;"), refused.stderr());
        assertTrue(refused.stderr().contains("run ./adopt-roles.sh --container"), refused.stderr());
        assertEquals(List.of("build", "check-env", "start postgres", "health", "roles"), steps(before.calls()), "nothing migrated");

        Ops.Result adopted = Roles.adopt(db, dir);
        assertEquals(0, adopted.exit(), adopted.all());
        DockerStub after = realPg("roles-after", db);
        Ops.Result ok = after.run("deploy.sh", "--env-file", env.toString(), "--skip-backup");
        assertEquals(0, ok.exit(), ok.all());
        assertTrue(ok.stdout().contains("roles: dataland_agent, dataland_auth and dataland_monitor exist, none a superuser"), ok.stdout());
        assertEquals(List.of("build", "check-env", "start postgres", "health", "roles", "info", "migrate", "start services", "health"),
                steps(after.calls()));

        // a service role made superuser is refused too; the adopt step takes it back
        try (Connection c = db.superuser(); Statement s = c.createStatement()) {
            s.execute("ALTER ROLE dataland_agent SUPERUSER");
        }
        try {
            Ops.Result superuser = realPg("roles-superuser", db).run("deploy.sh", "--env-file", env.toString(), "--skip-backup");
            assertEquals(1, superuser.exit(), superuser.all());
            assertTrue(superuser.stderr().contains("role dataland_agent is a superuser"), superuser.stderr());
        } finally {
            assertEquals(0, Roles.adopt(db, dir).exit());
        }
    }

    @Test
    void aContainerThatTurnsUnhealthyFailsTheDeploy() throws IOException {
        DockerStub docker = stub("unhealthy").with("STUB_FINAL_FOR", "dataland-agent").with("STUB_FINAL_STATUS", "unhealthy");
        Ops.Result result = docker.run("deploy.sh", "--env-file", goodEnv().toString());
        assertEquals(1, result.exit(), result.all());
        assertTrue(result.stderr().contains("ABORT: dataland-agent is unhealthy"), result.stderr());

        DockerStub slow = stub("slow")
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
