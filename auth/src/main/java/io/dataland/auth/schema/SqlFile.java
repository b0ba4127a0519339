package io.dataland.auth.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A class-path SQL file cut into named statements: each starts at a line {@code -- statement: NAME}
 * (or {@code -- column: NAME}); other comment lines are dropped; statements keep file order.
 */
record SqlFile(String resource, Map<String, String> statements) {

    private static final Pattern MARKER = Pattern.compile("^--\\s*(?:statement|column):\\s*(\\S+)\\s*$");

    /** Loads {@code resource} (e.g. {@code db/auth/01_create_tables.sql}). */
    static SqlFile load(String resource) {
        try (InputStream in = SqlFile.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("SQL resource " + resource + " is missing from the class path");
            }
            return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    static SqlFile parse(String resource, String text) {
        Map<String, String> statements = new LinkedHashMap<>();
        String name = null;
        StringBuilder sql = new StringBuilder();
        for (String line : text.split("\n")) {
            Matcher marker = MARKER.matcher(line.strip());
            if (marker.matches()) {
                put(statements, name, sql);
                name = marker.group(1);
                sql.setLength(0);
            } else if (!line.strip().startsWith("--") && name != null) {
                sql.append(line).append('\n');
            }
        }
        put(statements, name, sql);
        return new SqlFile(resource, java.util.Collections.unmodifiableMap(statements));
    }

    private static void put(Map<String, String> statements, String name, StringBuilder sql) {
        if (name != null && !sql.toString().isBlank()) {
            statements.put(name, sql.toString().strip());
        }
    }

    /** The statement named {@code name}. */
    String get(String name) {
        String sql = statements.get(name);
        if (sql == null) {
            throw new IllegalStateException(resource + " has no statement " + name);
        }
        return sql;
    }
}
