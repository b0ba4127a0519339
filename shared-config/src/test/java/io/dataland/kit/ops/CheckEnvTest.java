package io.dataland.kit.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check-env --env-file PATH}: exit codes on sample env files, as deploy.sh uses them. */
class CheckEnvTest {

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private Result run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = CheckEnv.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path file(String name, String content) throws IOException {
        Path path = dir.resolve(name);
        Files.writeString(path, content);
        return path;
    }

    @Test
    void rotatedProductionEnvPasses() throws IOException {
        Path env = file("good.env", """
                # production
                APP_ENV=production
                POSTGRES_USER=dl_prod
                POSTGRES_PASSWORD=9c1f0e5a7b
                export DATABASE_URL="postgresql+asyncpg://dl_prod:9c1f0e5a7b@dataland-postgres:5432/dataland"
                AUTH_DATABASE_URL='postgresql://dl_prod:9c1f0e5a7b@dataland-postgres:5432/dataland'
                """);
        Result result = run("--env-file", env.toString());
        assertEquals(0, result.code(), result.all());
        assertFalse(result.all().contains("9c1f0e5a7b"));
    }

    @Test
    void defaultCredentialsInProductionAreRefused() throws IOException {
        Path env = file("default.env", """
                APP_ENV=production
                DATABASE_URL=postgresql+asyncpg://dataland:dataland@dataland-postgres:5432/dataland
                """);
        Result result = run("--env-file", env.toString());
        assertEquals(1, result.code(), result.all());
        assertTrue(result.err().contains("[default-credentials]"), result.all());
        assertTrue(result.err().contains("REFUSED"), result.all());
    }

    @Test
    void loopbackInProductionIsRefused() throws IOException {
        Path env = file("loop.env", """
                APP_ENV=production
                DATABASE_URL=postgresql://dl:Zq81x@127.0.0.1:5432/dataland # tunnel
                """);
        Result result = run("--env-file", env.toString());
        assertEquals(1, result.code(), result.all());
        assertTrue(result.err().contains("[loopback-host]"), result.all());
        assertFalse(result.all().contains("Zq81x"), "leaks the password");
    }

    @Test
    void developmentFileOnlyWarnsUnlessProductionIsForced() throws IOException {
        Path env = file("dev.env", "DATABASE_URL=postgresql://dataland:dataland@localhost:5432/dataland\n");
        Result dev = run("--env-file", env.toString());
        assertEquals(0, dev.code(), dev.all());
        assertTrue(dev.out().contains("[default-credentials]"), dev.all());
        assertTrue(dev.out().contains("warnings only"), dev.all());

        Result forced = run("check-env", "--env-file", env.toString(), "--production");
        assertEquals(1, forced.code(), forced.all());
    }

    @Test
    void productionWithoutAnyUrlIsRefused() throws IOException {
        Path env = file("empty.env", "APP_ENV=production\nDATABASE_URL=\n");
        Result result = run("--env-file", env.toString());
        assertEquals(1, result.code(), result.all());
        assertTrue(result.err().contains("[url-empty]"), result.all());
    }

    @Test
    void usageErrorsExitTwo() throws IOException {
        assertEquals(2, run().code());
        assertEquals(2, run("--env-file").code());
        assertEquals(2, run("--bogus").code());
        assertEquals(2, run("--env-file", dir.resolve("missing.env").toString()).code());
        Path broken = file("broken.env", "APP_ENV=production\nthis is not a pair\n");
        Result result = run("--env-file", broken.toString());
        assertEquals(2, result.code());
        assertTrue(result.err().contains("line 2"), result.all());
    }

    @Test
    void parsesDockerComposeEnvSyntax() {
        Map<String, String> env = CheckEnv.parseEnvFile(List.of(
                "# comment", "", "A=1", "export B=two", "C=\"quoted # not a comment\"", "D='single'",
                "E=value # trailing comment", "F="));
        assertEquals(Map.of("A", "1", "B", "two", "C", "quoted # not a comment", "D", "single",
                "E", "value", "F", ""), env);
    }
}
