package io.dataland.dev;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the stack retrains the agent's AOT cache: a cache is used only while it is newer than the jar and
 * every jar of libs/ and was made by the same JVM (the JVM would refuse any other and boot without it).
 */
class AgentAotTest {

    @TempDir
    Path root;

    private static final String JAVA = "/opt/jdk/bin/java";

    private void layout(Instant jars, Instant cache) throws IOException {
        Path target = Files.createDirectories(root.resolve("agent/target/libs"));
        for (Path jar : new Path[] {target.getParent().resolve("agent.jar"), target.resolve("helidon-webserver.jar")}) {
            Files.writeString(jar, "jar");
            Files.setLastModifiedTime(jar, FileTime.from(jars));
        }
        Files.writeString(AgentAot.cache(root), "cache");
        Files.setLastModifiedTime(AgentAot.cache(root), FileTime.from(cache));
    }

    @Test
    void aCacheMadeAfterTheBuildByThisJvmIsCurrent() throws IOException {
        Instant build = Instant.parse("2026-01-01T10:00:00Z");
        layout(build, build.plusSeconds(60));
        assertFalse(AgentAot.current(root, JAVA), "no record of the JVM that made it");
        AgentAot.markMade(root, JAVA);
        assertTrue(AgentAot.current(root, JAVA));
        assertFalse(AgentAot.current(root, "/opt/other-jdk/bin/java"), "another JVM refuses it");
    }

    @Test
    void aRebuiltJarOrLibraryMakesItStale() throws IOException {
        Instant build = Instant.parse("2026-01-01T10:00:00Z");
        layout(build, build.plusSeconds(60));
        AgentAot.markMade(root, JAVA);
        Path lib = root.resolve("agent/target/libs/helidon-webserver.jar");
        Files.setLastModifiedTime(lib, FileTime.from(build.plusSeconds(120)));
        assertFalse(AgentAot.current(root, JAVA), "a library changed after the cache was made");
        Files.setLastModifiedTime(lib, FileTime.from(build));
        assertTrue(AgentAot.current(root, JAVA));
        Files.delete(AgentAot.cache(root));
        assertFalse(AgentAot.current(root, JAVA), "no cache");
    }
}
