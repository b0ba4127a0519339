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

    private static void assertReset(DockerStub docker) {
        List<String> calls = docker.calls();
        assertEquals(5, calls.size(), calls.toString());
        assertTrue(calls.get(0).startsWith("compose ") && calls.get(0).endsWith(" down"), calls.get(0));
        assertEquals("volume rm dataland_postgres-data", calls.get(1));
        assertTrue(calls.get(2).startsWith("compose ") && calls.get(2).endsWith(" up -d --wait postgres"), calls.get(2));
        assertTrue(calls.get(3).startsWith("compose ") && calls.get(3).endsWith(" run --rm --no-deps agent migrate"), calls.get(3));
        assertTrue(calls.get(4).startsWith("compose ") && calls.get(4).endsWith(" up -d"), calls.get(4));
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
