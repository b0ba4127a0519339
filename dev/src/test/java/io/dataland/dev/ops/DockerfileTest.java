package io.dataland.dev.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.dataland.dev.AgentAot;
import io.dataland.dev.Stack;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Dockerfile.agent and Dockerfile.auth without a Docker engine: statically (stages, dependency layer,
 * every COPY source, non-root user, exec-form entrypoint naming the built artifact, health check, heap
 * inside the compose memory limit), then the image's exact entrypoint command line run on this
 * machine against the embedded PostgreSQL until {@code /observe/health} answers 200, the image's own
 * health probe agrees, and SIGTERM stops it.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class DockerfileTest {

    private static final Pattern HEAP = Pattern.compile("-Xmx(\\d+)([mg])");

    private static Dockerfile dockerfile(String service) throws IOException {
        return Dockerfile.parse(Ops.root().resolve("Dockerfile." + service));
    }

    @ParameterizedTest
    @ValueSource(strings = {"agent", "auth"})
    void buildsWithMavenAndRunsOnAJre21Plus(String service) throws IOException {
        Dockerfile file = dockerfile(service);
        List<Dockerfile.Instruction> froms = file.all("FROM");
        // build, then runtime; the agent trains its AOT cache in between
        assertEquals(service.equals("agent") ? 3 : 2, froms.size(), "multi-stage: build, (train,) runtime: " + froms);
        // The base images are build arguments (local stand-ins replace them where no registry is
        // reachable); their defaults must stay the registry images production builds from.
        assertTrue(froms.stream().allMatch(f -> f.args().startsWith("${")), "FROM takes its image from an ARG: " + froms);
        String build = file.withArgDefaults(froms.getFirst().args());
        String runtime = file.withArgDefaults(froms.getLast().args());
        assertTrue(build.matches("maven:3\\.9-eclipse-temurin-(2[1-9]|[3-9]\\d) AS build"), build);
        Matcher jre = Pattern.compile("eclipse-temurin:(\\d+)-jre").matcher(runtime);
        assertTrue(jre.matches() && Integer.parseInt(jre.group(1)) >= 21, "runtime must be a JRE 21+: " + runtime);
        if (froms.size() == 3) {
            // a JDK AOT cache is refused by any other JVM: the training runs on the runtime's own image
            assertEquals(runtime + " AS train", file.withArgDefaults(froms.get(1).args()));
        }
    }

    @Test
    void theAgentImageUsesTheAotCacheItsTrainStageMade() throws IOException {
        Dockerfile file = dockerfile("agent");
        List<String> entrypoint = Dockerfile.execForm(file.one("ENTRYPOINT").args());
        assertTrue(entrypoint.contains("-XX:AOTCache=/app/agent.aot"), entrypoint.toString());
        assertTrue(file.copies().stream().anyMatch(c -> c.stage() == finalStage(file) && "train".equals(c.flags().get("from"))
                && c.sources().equals(List.of("/app/agent.aot")) && c.destination().equals("/app/agent.aot")), "the cache is copied from train");
        // the train stage copies the class path and the JVM flags as the runtime stage does, so the JVM accepts the cache
        for (Dockerfile.Copy copy : file.copies().stream().filter(c -> c.stage() == finalStage(file) && !"train".equals(c.flags().get("from"))
                && c.destination().startsWith("/app/") && !c.destination().equals("/app/healthcheck.sh")).toList()) {
            assertTrue(file.copies().stream().anyMatch(c -> c.stage() == 1 && c.sources().equals(copy.sources())
                    && c.destination().equals(copy.destination()) && java.util.Objects.equals(c.flags(), copy.flags())),
                    "the train stage copies " + copy.sources() + " to " + copy.destination() + " as the runtime does");
        }
        assertTrue(file.instructions().stream().anyMatch(i -> i.stage() == finalStage(file) && i.keyword().equals("RUN")
                && i.args().contains("-XX:AOTMode=on")), "the runtime stage checks that its JVM accepts the cache");
    }

    private static int finalStage(Dockerfile file) {
        return file.instructions().getLast().stage();
    }

    @ParameterizedTest
    @ValueSource(strings = {"agent", "auth"})
    void dependenciesAreResolvedInALayerBeforeTheSources(String service) throws IOException {
        Dockerfile file = dockerfile(service);
        List<Dockerfile.Instruction> build = file.instructions().stream().filter(i -> i.stage() == 0).toList();
        int firstMaven = -1;
        for (int i = 0; i < build.size(); i++) {
            Dockerfile.Instruction ins = build.get(i);
            if (ins.keyword().equals("RUN") && ins.args().startsWith("mvn ")) {
                firstMaven = i;
                break;
            }
            if (ins.keyword().equals("COPY")) {
                for (String source : Dockerfile.Copy.of(ins).sources()) {
                    assertTrue(source.endsWith("pom.xml"), "only POMs before the dependency layer, found " + source);
                }
            }
        }
        assertTrue(firstMaven > 0, "no Maven run in the build stage");
        // every module the parent lists has its POM in that layer (Maven needs them all)
        String parent = Files.readString(Ops.root().resolve("pom.xml"));
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
        List<String> copied = build.subList(0, firstMaven).stream().filter(i -> i.keyword().equals("COPY"))
                .flatMap(i -> Dockerfile.Copy.of(i).sources().stream()).toList();
        while (module.find()) {
            assertTrue(copied.contains(module.group(1) + "/pom.xml"), module.group(1) + "/pom.xml is not copied before the dependency layer");
        }
        assertTrue(build.getLast().args().contains("-pl " + service + " -am"), build.getLast().args());
    }

    @ParameterizedTest
    @ValueSource(strings = {"agent", "auth"})
    void everyCopySourceExistsAndTheEntrypointNamesTheBuiltArtifact(String service) throws IOException {
        Dockerfile file = dockerfile(service);
        Path root = Ops.root();
        List<String> runtimeFiles = new ArrayList<>();
        for (Dockerfile.Copy copy : file.copies()) {
            if ("train".equals(copy.flags().get("from"))) {
                if (copy.stage() == finalStage(file)) {
                    runtimeFiles.add(copy.destination()); // made by the train stage (checked above)
                }
                continue;
            }
            for (String source : copy.sources()) {
                Path onDisk = copy.flags().containsKey("from")
                        // the build stage works in /src, a copy of the repository root
                        ? root.resolve(stripPrefix(source, "/src/"))
                        : root.resolve(source);
                assertTrue(Files.exists(onDisk), file.path().getFileName() + ": COPY source " + source + " -> " + onDisk + " does not exist"
                        + (copy.flags().containsKey("from") ? " (package the module first)" : ""));
            }
            if (copy.stage() == finalStage(file)) {
                runtimeFiles.add(copy.destination());
            }
        }
        List<String> entrypoint = Dockerfile.execForm(file.one("ENTRYPOINT").args());
        assertEquals("java", entrypoint.getFirst());
        int jar = entrypoint.indexOf("-jar");
        assertTrue(jar > 0, "the entrypoint runs a jar: " + entrypoint);
        assertEquals("/app/" + service + ".jar", entrypoint.get(jar + 1));
        assertTrue(runtimeFiles.contains("/app/" + service + ".jar"), "the jar is copied into the image");
        assertTrue(runtimeFiles.contains("/app/libs/"), "the thin jar's libs/ are copied next to it");
        assertEquals(List.of("serve"), Dockerfile.execForm(file.one("CMD").args()));
        String dockerignore = Files.readString(root.resolve(".dockerignore"));
        assertTrue(dockerignore.contains("**/target/"), "target/ must stay out of the build context");
    }

    private static String stripPrefix(String path, String prefix) {
        assertTrue(path.startsWith(prefix), path + " is not under the build stage's " + prefix);
        return path.substring(prefix.length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"agent", "auth"})
    void runsAsANonRootUserWithAHealthCheck(String service) throws IOException {
        Dockerfile file = dockerfile(service);
        String user = file.one("USER").args().split(":")[0];
        assertFalse(Set.of("root", "0").contains(user), "USER " + user);
        assertTrue(file.finalStage().stream().anyMatch(i -> i.keyword().equals("RUN") && i.args().contains("useradd")
                && i.args().contains(" " + user)), "user " + user + " is created in the runtime stage");
        List<String> kinds = file.finalStage().stream().map(Dockerfile.Instruction::keyword).toList();
        assertTrue(kinds.indexOf("USER") < kinds.indexOf("ENTRYPOINT"), "USER comes before ENTRYPOINT");
        String health = file.one("HEALTHCHECK").args();
        String port = service.equals("agent") ? "8000" : "8001";
        assertTrue(health.endsWith("CMD [\"/app/healthcheck.sh\", \"" + port + "\"]"), health);
        assertEquals("0.0.0.0", file.env().get("BIND_HOST"));
        assertTrue(kinds.contains("EXPOSE"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"agent", "auth"})
    void theHeapFitsTheComposeMemoryLimit(String service) throws IOException {
        List<String> entrypoint = entrypoint(service);
        long heap = entrypoint.stream().map(HEAP::matcher).filter(Matcher::matches).mapToLong(DockerfileTest::mib)
                .findFirst().orElseThrow(() -> new AssertionError("no -Xmx in " + entrypoint));
        String limit = String.valueOf(ComposeFilesTest.services(Ops.composeDir().resolve("compose.yml")).get(service).get("mem_limit"));
        Matcher m = Pattern.compile("(\\d+)([mg])").matcher(limit);
        assertTrue(m.matches(), limit);
        long limitMib = mib(m);
        if (service.equals("auth")) {
            // Argon2id runs in libargon2 off the heap (LibArgon2): a small heap, the library installed, the
            // fallback to password4j (which would need a big heap) refused, and the limit holds the process
            // (150 MiB) plus one 72 MiB hash per CPU compose gives it
            Dockerfile file = dockerfile(service);
            assertTrue(heap <= 128, "auth heap " + heap + " MiB: hashes are not on the heap any more");
            assertEquals("native", file.env().get("ARGON2_IMPL"));
            assertTrue(file.finalStage().stream().anyMatch(i -> i.keyword().equals("RUN") && i.args().contains("libargon2-1")),
                    "the runtime stage installs libargon2-1");
            double cpus = ((Number) ComposeFilesTest.services(Ops.composeDir().resolve("compose.yml")).get(service).get("cpus"))
                    .doubleValue();
            long bound = 150 + 72 * Math.max(1, (long) cpus);
            assertTrue(bound <= limitMib, "auth: mem_limit " + limitMib + " MiB under the flood bound " + bound + " MiB");
        } else {
            assertTrue(heap + 256 <= limitMib, service + ": heap " + heap + " MiB needs >= 256 MiB headroom below mem_limit " + limitMib + " MiB");
        }
    }

    private static long mib(Matcher m) {
        long value = Long.parseLong(m.group(1));
        return m.group(2).equals("g") ? value * 1024 : value;
    }

    // ---- the entrypoint, run as the image would run it ----------------------------------------

    /**
     * The ENTRYPOINT's words with each {@code @/app/FILE} argfile replaced by the options of the file
     * the image copies there (auth's JVM flags live in auth/jvm.options).
     */
    private static List<String> entrypoint(String service) throws IOException {
        Dockerfile file = dockerfile(service);
        List<String> words = new ArrayList<>();
        for (String word : Dockerfile.execForm(file.one("ENTRYPOINT").args())) {
            if (!word.startsWith("@")) {
                words.add(word);
                continue;
            }
            String source = file.copies().stream().filter(c -> c.stage() == finalStage(file) && c.destination().equals(word.substring(1))
                            && !c.flags().containsKey("from")).map(c -> c.sources().getFirst()).findFirst()
                    .orElseThrow(() -> new AssertionError(word + ": the image copies no file there"));
            words.addAll(Stack.argFile(Ops.root().resolve(source)));
        }
        return words;
    }

    /**
     * The image's command line with its paths mapped to this checkout and this JVM. The agent's AOT cache is
     * made at image build time; here it is the dev stack's ({@code agent/target/agent.aot}) when that one is
     * current for this build, else the line runs without it.
     */
    private static List<String> commandLine(String service, List<String> cmd) throws IOException {
        List<String> line = new ArrayList<>();
        for (String word : entrypoint(service)) {
            if (word.startsWith("-XX:AOTCache=/app/")) {
                if (AgentAot.current(Ops.root(), ProcessHandle.current().info().command().orElse("java"))) {
                    line.add("-XX:AOTCache=" + AgentAot.cache(Ops.root()));
                }
            } else if (word.equals("java")) {
                line.add(ProcessHandle.current().info().command().orElse("java"));
            } else if (word.startsWith("/app/")) {
                Path built = Ops.root().resolve(service).resolve("target").resolve(word.substring("/app/".length()));
                assertTrue(Files.exists(built), built + " is missing: package " + service + " first");
                line.add(built.toString());
            } else {
                line.add(word);
            }
        }
        line.addAll(cmd);
        return line;
    }

    @Test
    void theExactEntrypointsServeHealthAndStopOnSigterm(TestDatabase db, @TempDir Path data) throws Exception {
        int authPort = ServiceProcess.freePort();
        int agentPort = ServiceProcess.freePort();
        Map<String, String> authEnv = new HashMap<>(dockerfile("auth").env());
        authEnv.put("DATABASE_URL", db.databaseUrl());
        authEnv.put("AUTH_PORT", Integer.toString(authPort));
        authEnv.put("AUTH_DATA_DIR", data.resolve("auth-data").toString()); // /data in the image
        // the only override: the image listens on 0.0.0.0 inside its container; here the host is shared
        authEnv.put("BIND_HOST", "127.0.0.1");
        Map<String, String> agentEnv = new HashMap<>(dockerfile("agent").env());
        agentEnv.put("DATABASE_URL", db.databaseUrl());
        agentEnv.put("AGENT_PORT", Integer.toString(agentPort));
        agentEnv.put("AUTH_JWKS_URL", "http://127.0.0.1:" + authPort + "/.well-known/jwks.json");
        agentEnv.put("BIND_HOST", "127.0.0.1");

        // auth first, as compose orders them: the agent's first migration meets the auth tables on a fresh database
        try (ServiceProcess auth = ServiceProcess.start("auth", commandLine("auth", Dockerfile.execForm(dockerfile("auth").one("CMD").args())),
                authEnv, authPort, data).awaitHealthy();
             ServiceProcess agent = ServiceProcess.start("agent", commandLine("agent", Dockerfile.execForm(dockerfile("agent").one("CMD").args())),
                     agentEnv, agentPort, data).awaitHealthy()) {
            for (ServiceProcess service : List.of(agent, auth)) {
                Ops.Result ok = Ops.run(List.of(Ops.composeDir().resolve("healthcheck.sh").toString(), Integer.toString(service.port())),
                        data, Map.of(), 20);
                assertEquals(0, ok.exit(), "the image's health probe disagrees for " + service.name() + ": " + ok.all());
                String metrics = service.get("/observe/metrics").body();
                for (String metric : ComposeFilesTest.dashboardMetrics("dataland-" + service.name())) {
                    assertTrue(metrics.contains(metric), "the dashboard charts " + metric + ", which " + service.name() + " does not export");
                }
            }
            // SIGTERM, what `docker stop` sends to PID 1: the JVM runs its shutdown hooks and exits 128 + 15
            assertEquals(143, agent.stop(), "agent exit code after SIGTERM");
            assertEquals(143, auth.stop(), "auth exit code after SIGTERM");
        }
        Ops.Result refused = Ops.run(List.of(Ops.composeDir().resolve("healthcheck.sh").toString(), Integer.toString(agentPort)), data, Map.of(), 20);
        assertNotEquals(0, refused.exit(), "the probe must fail once the service is gone");
    }

    @Test
    void checkEnvRunsThroughTheImageEntrypointAsDeployShDoes(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.env"),
                "DATABASE_URL=postgresql://svc:" + "s3cr3t-rotated" + "@dataland-postgres:5432/dataland\n");
        Path bad = Files.writeString(dir.resolve("bad.env"),
                "DATABASE_URL=postgresql+asyncpg://dataland:dataland@dataland-postgres:5432/dataland\n");
        Ops.Result passed = Ops.run(commandLine("agent", List.of("check-env", "--env-file", good.toString(), "--production")), dir, Map.of(), 60);
        assertEquals(0, passed.exit(), passed.all());
        Ops.Result refused = Ops.run(commandLine("agent", List.of("check-env", "--env-file", bad.toString(), "--production")), dir, Map.of(), 60);
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.all().contains("default-credentials"), refused.all());
        assertFalse(refused.all().contains("s3cr3t"), "no secret is printed");
    }

}
