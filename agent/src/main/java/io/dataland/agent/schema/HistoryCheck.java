package io.dataland.agent.schema;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The boot's fast path past Flyway: whether {@code flyway_schema_history} already records every migration
 * script of the class path, successfully and with the checksum the script has now. Flyway's own no-op
 * migrate (three commands: configure, scan the class path, validate, migrate) costs a few hundred
 * milliseconds of a cold JVM on every boot; this is one query and a read of a dozen small scripts.
 *
 * <p>Anything it does not recognise (no history, a failed or repaired row, a version the scripts do not
 * have, a script missing from the history, a changed script) answers false, and the boot goes through
 * Flyway under the lock as before, which migrates, validates and refuses as it always did (the V11 guard
 * included): this check can only skip work that Flyway would have found to be nothing.
 */
final class HistoryCheck {

    /** A versioned migration on the class path: {@code V<version>__<description>.sql}. */
    record Script(int version, String name, int checksum) {
    }

    private static final Pattern VERSIONED = Pattern.compile("V(\\d+)__[^/]*\\.sql");
    private static final String FOLDER = Migrations.LOCATION.substring("classpath:".length());

    private HistoryCheck() {
    }

    /** Whether the history records exactly the scripts of the class path (see the class comment). */
    static boolean atHead(Connection connection) throws SQLException {
        return matches(history(connection), scripts());
    }

    /** One row of the history table that matters here. */
    record Row(String version, String type, Integer checksum, boolean success) {
    }

    static boolean matches(List<Row> history, List<Script> scripts) {
        if (history == null || scripts.isEmpty()) {
            return false;
        }
        int baseline = -1;
        Map<Integer, Integer> applied = new HashMap<>();
        for (Row row : history) {
            if (!row.success()) {
                return false;
            }
            switch (row.type()) {
                case "SCHEMA" -> {
                    // Flyway created the schema itself: no version, nothing to compare
                }
                case "BASELINE" -> baseline = Math.max(baseline, version(row.version()));
                case "SQL" -> {
                    if (row.checksum() == null || applied.put(version(row.version()), row.checksum()) != null) {
                        return false;
                    }
                }
                default -> {
                    return false; // repair markers, Java migrations, undo: Flyway decides
                }
            }
        }
        int expected = 0;
        for (Script script : scripts) {
            if (script.version() <= baseline) {
                continue; // below the baseline: Flyway ignores it too
            }
            expected++;
            if (!Objects.equals(applied.get(script.version()), script.checksum())) {
                return false;
            }
        }
        // every applied row is one of the scripts above the baseline (no future or removed version)
        return applied.size() == expected;
    }

    private static int version(String version) {
        if (version == null || version.isEmpty() || version.length() > 9 || !version.chars().allMatch(Character::isDigit)) {
            return Integer.MAX_VALUE; // not one of ours: never matches a script
        }
        return Integer.parseInt(version);
    }

    /** The history rows, or null when there is no history table. */
    private static List<Row> history(Connection connection) throws SQLException {
        try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, Migrations.HISTORY_TABLE);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return null;
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT version, type, checksum, success FROM "
                + Migrations.HISTORY_TABLE + " ORDER BY installed_rank");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int checksum = rs.getInt(3);
                rows.add(new Row(rs.getString(1), rs.getString(2), rs.wasNull() ? null : checksum, rs.getBoolean(4)));
            }
        }
        return rows;
    }

    /** The versioned scripts of {@link Migrations#LOCATION}, by version, with Flyway's checksums. */
    static List<Script> scripts() {
        ClassLoader loader = Migrations.class.getClassLoader();
        List<Script> scripts = new ArrayList<>();
        for (String name : names(loader)) {
            Matcher m = VERSIONED.matcher(name);
            if (m.matches()) {
                try (InputStream in = Objects.requireNonNull(loader.getResourceAsStream(FOLDER + "/" + name), name)) {
                    scripts.add(new Script(Integer.parseInt(m.group(1)), name, checksum(in)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        scripts.sort((a, b) -> Integer.compare(a.version(), b.version()));
        return scripts;
    }

    /** The file names directly in the folder, from a jar or a directory of the class path. */
    private static List<String> names(ClassLoader loader) {
        URL folder = loader.getResource(FOLDER);
        if (folder == null) {
            return List.of();
        }
        try {
            if (folder.getProtocol().equals("file")) {
                try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
                    return files.map(p -> p.getFileName().toString()).toList();
                }
            }
            if (folder.openConnection() instanceof JarURLConnection jar) {
                jar.setUseCaches(false);
                List<String> names = new ArrayList<>();
                try (JarFile file = jar.getJarFile()) {
                    for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                        String entry = e.nextElement().getName();
                        if (entry.startsWith(FOLDER + "/") && entry.indexOf('/', FOLDER.length() + 1) < 0) {
                            names.add(entry.substring(FOLDER.length() + 1));
                        }
                    }
                }
                return names;
            }
            return List.of(); // another kind of class path: Flyway decides
        } catch (IOException | URISyntaxException e) {
            return List.of();
        }
    }

    /**
     * Flyway's checksum of a script: CRC-32 over its lines as UTF-8, without line breaks, a byte-order
     * mark at the start of a line removed (ChecksumCalculator in flyway-core; a test checks it against Flyway's for every script).
     */
    static int checksum(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            String text = !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
            crc.update(text.getBytes(StandardCharsets.UTF_8));
        }
        return (int) crc.getValue();
    }
}
