package io.dataland.dev.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR execution-sample recording: each sample is charged to the first frame from the top
 * that belongs to a known component (jjwt/RSA, Jackson, MyBatis, pgjdbc, HikariCP, Helidon, the bench's
 * own HTTP client, the agent's code), so JDK helpers count for the library that called them.
 */
final class Profile {

    private static final Map<String, String> COMPONENTS = new LinkedHashMap<>();

    static {
        COMPONENTS.put("io.jsonwebtoken.", "JWT verification (jjwt)");
        COMPONENTS.put("sun.security.", "RSA signature (JDK crypto)");
        COMPONENTS.put("java.math.BigInteger", "RSA signature (JDK crypto)");
        COMPONENTS.put("com.fasterxml.jackson.", "JSON (Jackson)");
        COMPONENTS.put("org.apache.ibatis.", "MyBatis");
        COMPONENTS.put("org.postgresql.", "pgjdbc (driver)");
        COMPONENTS.put("com.zaxxer.hikari.", "HikariCP");
        COMPONENTS.put("jdk.internal.net.http.", "bench load generator");
        COMPONENTS.put("java.net.http.", "bench load generator");
        COMPONENTS.put("io.dataland.dev.bench.", "bench load generator");
        COMPONENTS.put("io.helidon.", "Helidon webserver/metrics");
        COMPONENTS.put("io.micrometer.", "Helidon webserver/metrics");
        COMPONENTS.put("io.dataland.agent.model.", "offline model");
        COMPONENTS.put("io.dataland.", "agent code");
        COMPONENTS.put("jdk.jfr.", "JFR itself");
    }

    private Profile() {
    }

    /** Stops {@code recording} and prints where its samples went. */
    static void print(Recording recording, String what) {
        try {
            recording.stop();
            Path file = Files.createTempFile("api-bench", ".jfr");
            recording.dump(file);
            recording.close();
            Map<String, Integer> byComponent = new HashMap<>();
            Map<String, Integer> byFrame = new HashMap<>();
            Map<String, Integer> inMyBatis = new HashMap<>();
            int total = 0;
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                    continue;
                }
                List<RecordedFrame> frames = event.getStackTrace().getFrames();
                if (frames.isEmpty()) {
                    continue;
                }
                total++;
                RecordedFrame top = frames.getFirst();
                byFrame.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1, Integer::sum);
                String component = component(frames);
                byComponent.merge(component, 1, Integer::sum);
                if (component.equals("MyBatis")) {
                    frames.stream().filter(f -> f.getMethod().getType().getName().startsWith("org.apache.ibatis.")).findFirst()
                            .ifPresent(f -> inMyBatis.merge(f.getMethod().getType().getName() + "." + f.getMethod().getName(), 1, Integer::sum));
                }
            }
            Files.deleteIfExists(file);
            System.out.printf(Locale.ROOT, "%nprofile of one '%s' round (JFR execution samples in the JVM, %d samples):%n", what, total);
            print(byComponent, total, 12);
            System.out.println("hottest methods (self):");
            print(byFrame, total, 10);
            System.out.println("MyBatis samples by MyBatis method:");
            print(inMyBatis, total, 8);
            System.out.println();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String component(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            for (Map.Entry<String, String> c : COMPONENTS.entrySet()) {
                if (type.startsWith(c.getKey())) {
                    return c.getValue();
                }
            }
        }
        return "JDK / other (" + frames.getFirst().getMethod().getType().getName() + ")";
    }

    private static void print(Map<String, Integer> counts, int total, int limit) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .forEach(e -> System.out.printf(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
    }
}
