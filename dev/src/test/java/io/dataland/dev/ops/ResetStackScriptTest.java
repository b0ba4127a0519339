package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compose/reset-stack.sh, the destructive reset, against a recording docker stub: it removes
 * postgres-data only when a backup newer than the age limit exists or --backup names one, says which
 * backup it relies on, never touches auth-data, and refuses everything else before any docker call.
 * It waits for health by polling {@code docker inspect} (docker-compose 1.29 has no {@code up --wait}),
 * runs through {@code COMPOSE=docker-compose}, and recreates an external volume (the cutover's) it removed.
 */
class ResetStackScriptTest {

    @TempDir
    Path dir;

    private Path dump(String name, Duration age) throws IOException {
        Path backups = Files.createDirectories(dir.resolve("backups"));
        Path file = Files.write(backups.resolve(name), "PGDMP\u0001\u000e\u0000 pretend archive body".getBytes());
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
        return file;
    }

    private Ops.Result reset(DockerStub docker, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--backup-dir";
        all[1] = dir.resolve("backups").toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return docker.run("reset-stack.sh", all);
    }

    /**
     * The steps of a reset: compose calls (which must start with {@code compose}: "compose" for
     * {@code docker compose}, "docker-compose" for 1.29) by their arguments after the files, volume
     * calls as they are, and each run of health polls as "health" with the containers it polled.
     */
    private static List<String> steps(List<String> calls, String compose) {
        List<String> steps = new java.util.ArrayList<>();
        java.util.Set<String> polled = new java.util.TreeSet<>();
        for (String call : calls) {
            if (call.startsWith("inspect ")) {
                polled.add(call.substring(call.lastIndexOf(' ') + 1));
                continue;
            }
            if (!polled.isEmpty()) {
                steps.add("health " + polled);
                polled.clear();
            }
            steps.add(call.startsWith("volume ") ? call
                    : call.startsWith(compose + " ") ? call.substring(call.lastIndexOf(".yml ") + 5)
                    : "?" + call);
        }
        if (!polled.isEmpty()) {
            steps.add("health " + polled);
        }
        return steps;
    }

    private static void assertReset(DockerStub docker) {
        assertReset(docker, "compose", "dataland_postgres-data", false);
    }

    private static void assertReset(DockerStub docker, String compose, String volume, boolean external) {
        List<String> calls = docker.calls();
        List<String> expected = new java.util.ArrayList<>(List.of("down", "volume rm " + volume));
        if (external) {
            expected.add("volume create " + volume);
        }
        // postgres healthy before the schema is built, every service healthy before "done"
        expected.addAll(List.of("up -d postgres", "health [dataland-postgres]", "run --rm --no-deps agent migrate", "up -d",
                "health [dataland-agent, dataland-auth, dataland-postgres]"));
        assertEquals(expected, steps(calls, compose), "docker calls: " + calls);
        assertFalse(calls.stream().anyMatch(c -> c.contains("--wait")), "docker-compose 1.29 has no up --wait: " + calls);
        assertFalse(calls.stream().anyMatch(c -> c.contains("auth-data") || c.contains(" -v") || c.contains("--volumes")),
                "auth-data must survive: " + calls);
    }

    @Test
    void refusesWithoutAnyBackup() {
        DockerStub docker = new DockerStub(dir);
        Ops.Result result = reset(docker, "--yes");
        assertEquals(1, result.exit(), result.all());
        assertTrue(result.stderr().contains("REFUSED: no backup in " + dir.resolve("backups")), result.stderr());
        assertEquals(List.of(), docker.calls());
    }

    @Test
    void refusesWhenTheNewestBackupIsTooOldAndNamesIt() throws IOException {
        DockerStub docker = new DockerStub(dir);
        dump("dataland-20261101T000000Z.dump", Duration.ofHours(50));
        Path newest = dump("dataland-20261126T000000Z.dump", Duration.ofHours(30));
        Ops.Result result = reset(docker, "--yes");
        assertEquals(1, result.exit(), result.all());
        assertTrue(result.stderr().contains("the newest backup, " + newest + ", is 30 h old (limit 24 h)"), result.stderr());
        assertEquals(List.of(), docker.calls());

        Ops.Result wider = reset(docker, "--yes", "--max-age-hours", "48");
        assertEquals(0, wider.exit(), wider.all());
        assertTrue(wider.stdout().contains("relying on backup " + newest + " (30 h old, newer than 48 h)"), wider.stdout());
        assertReset(docker);
    }

    @Test
    void resetsWithAFreshBackupAndSaysWhichOne() throws IOException {
        DockerStub docker = new DockerStub(dir);
        dump("dataland-20261127T000000Z.dump", Duration.ofHours(20));
        Path fresh = dump("dataland-20261128T050000Z.dump", Duration.ofMinutes(5));
        Ops.Result result = reset(docker, "--yes");
        assertEquals(0, result.exit(), result.all());
        assertTrue(result.stdout().contains("relying on backup " + fresh + " (0 h old, newer than 24 h)"), result.stdout());
        assertReset(docker);

        // BACKUP_DIR and BACKUP_MAX_AGE_HOURS from the environment stand in for the flags
        DockerStub byEnv = new DockerStub(dir.resolve("by-env")).with("BACKUP_DIR", dir.resolve("backups").toString())
                .with("BACKUP_MAX_AGE_HOURS", "1");
        Ops.Result viaEnv = byEnv.run("reset-stack.sh", "--yes");
        assertEquals(0, viaEnv.exit(), viaEnv.all());
        assertTrue(viaEnv.stdout().contains("relying on backup " + fresh + " (0 h old, newer than 1 h)"), viaEnv.stdout());
    }

    @Test
    void anExplicitlyNamedBackupOfAnyAgeIsAccepted() throws IOException {
        DockerStub docker = new DockerStub(dir);
        Path old = dump("dataland-20250101T000000Z.dump", Duration.ofDays(300));
        Ops.Result result = reset(docker, "--yes", "--backup", old.toString());
        assertEquals(0, result.exit(), result.all());
        assertTrue(result.stdout().contains("relying on backup " + old + " (named with --backup, 7200 h old)"), result.stdout());
        assertReset(docker);
    }

    @Test
    void aNamedFileThatIsNoDumpOrMissingIsRefused() throws IOException {
        DockerStub docker = new DockerStub(dir);
        Path text = Files.writeString(dir.resolve("notes.dump"), "not an archive");
        Ops.Result notDump = reset(docker, "--yes", "--backup", text.toString());
        assertEquals(1, notDump.exit());
        assertTrue(notDump.stderr().contains("is not a pg_dump custom-format archive"), notDump.stderr());
        Ops.Result missing = reset(docker, "--yes", "--backup", dir.resolve("gone.dump").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.stderr().contains("does not exist"), missing.stderr());
        assertEquals(List.of(), docker.calls());
    }

    /** Debian's docker-compose 1.29: no `up --wait` (the stub refuses it as 1.29 does), health polled instead. */
    @Test
    void resetsThroughDockerCompose129WaitingForHealthByPolling() throws IOException {
        DockerStub docker = new DockerStub(dir).with("COMPOSE", "docker-compose");
        dump("dataland-20261128T050000Z.dump", Duration.ofMinutes(5));
        Ops.Result result = reset(docker, "--yes");
        assertEquals(0, result.exit(), result.all());
        assertReset(docker, "docker-compose", "dataland_postgres-data", false);
        assertTrue(docker.calls().getFirst().startsWith("docker-compose -f " + Ops.composeDir().resolve("compose.yml")),
                docker.calls().getFirst());
    }

    @Test
    void aPostgresThatTurnsUnhealthyStopsTheResetBeforeTheSchemaStep() throws IOException {
        DockerStub docker = new DockerStub(dir).with("STUB_FINAL_FOR", "dataland-postgres").with("STUB_FINAL_STATUS", "unhealthy");
        dump("dataland-20261128T050000Z.dump", Duration.ofMinutes(5));
        Ops.Result result = reset(docker, "--yes");
        assertEquals(1, result.exit(), result.all());
        assertTrue(result.stderr().contains("FAILED: dataland-postgres is unhealthy"), result.stderr());
        assertFalse(docker.calls().stream().anyMatch(c -> c.contains(" migrate")), docker.calls().toString());

        DockerStub slow = new DockerStub(dir.resolve("slow")).with("STUB_STARTING_POLLS", "1000000")
                .with("DEPLOY_HEALTH_TIMEOUT", "1").with("DEPLOY_POLL_SECONDS", "0.2");
        Ops.Result timeout = reset(slow, "--yes");
        assertEquals(1, timeout.exit(), timeout.all());
        assertTrue(timeout.stderr().contains("FAILED: not healthy within 1s: dataland-postgres=starting"), timeout.stderr());
    }

    /** The cutover's volumes are external (cutover.compose.yml): compose would not create the removed one again. */
    @Test
    void onTheCutoverVolumesTheRemovedVolumeIsCreatedAgainAndTheOverrideIsUsed() throws IOException {
        DockerStub docker = new DockerStub(dir).with("POSTGRES_VOLUME", "dataland-infrastructure_postgres-data")
                .with("AUTH_DATA_VOLUME", "dataland-infrastructure_auth-data");
        dump("dataland-20261128T050000Z.dump", Duration.ofMinutes(5));
        Ops.Result result = reset(docker, "--yes");
        assertEquals(0, result.exit(), result.all());
        assertReset(docker, "compose", "dataland-infrastructure_postgres-data", true);
        List<String> calls = docker.calls();
        String files = " -f " + Ops.composeDir().resolve("compose.yml") + " -f " + Ops.composeDir().resolve("cutover.compose.yml") + " ";
        assertEquals(4, calls.stream().filter(c -> c.startsWith("compose ") && c.contains(files)).count(), calls.toString());
    }

    @Test
    void withoutYesAndWithoutATerminalNothingIsRemoved() throws IOException {
        DockerStub docker = new DockerStub(dir);
        dump("dataland-20261128T050000Z.dump", Duration.ofMinutes(1));
        Ops.Result result = reset(docker);
        assertEquals(1, result.exit(), result.all());
        assertTrue(result.stderr().contains("no terminal to confirm on; pass --yes"), result.stderr());
        assertEquals(List.of(), docker.calls());
        assertEquals(2, reset(docker, "--max-age-hours", "soon").exit());
    }
}
