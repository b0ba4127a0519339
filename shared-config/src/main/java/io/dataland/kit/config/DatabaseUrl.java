package io.dataland.kit.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * A PostgreSQL connection string as the original system wrote it, turned into what JDBC needs.
 *
 * <p>Accepted forms (docs/api.md): {@code postgresql+asyncpg://}, {@code postgresql+psycopg2://},
 * {@code postgresql://}, {@code postgres://} and {@code jdbc:postgresql://}. User and password may sit
 * in the authority ({@code user:pass@host}, percent-encoded) or, JDBC style, in the query
 * ({@code ?user=..&password=..}). Other query parameters ({@code sslmode}, ...) are kept. The driver
 * suffix is dropped the way the seed's {@code _normalize_postgres_dsn} drops {@code +asyncpg}; asyncpg's
 * {@code ssl=} spelling becomes libpq's {@code sslmode=}.
 *
 * <p>The password never appears in {@link #toString()}, {@link #redacted()} or any error message.
 *
 * @param jdbcUrl  {@code jdbc:postgresql://host:port/db?params}, without user or password
 * @param user     the user, or null when the URL names none
 * @param password the password, or null when the URL carries none
 * @param host     host name or address (IPv6 without brackets)
 * @param port     TCP port (5432 when the URL names none)
 * @param database database name
 */
public record DatabaseUrl(String jdbcUrl, String user, String password, String host, int port, String database) {

    private static final Pattern SCHEME = Pattern.compile(
            "^(?<scheme>jdbc:postgresql|postgresql\\+asyncpg|postgresql\\+psycopg2?|postgresql|postgres)://",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern DB_NAME = Pattern.compile("[^/?#\\s]+");

    /**
     * Parses {@code raw}, read from the variable {@code variable}.
     *
     * @throws IllegalArgumentException naming the variable and what is wrong, never the password
     */
    public static DatabaseUrl parse(String variable, String raw) {
        if (raw == null || raw.isBlank()) {
            throw error(variable, "is empty");
        }
        String url = raw.strip();
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw error(variable, "contains white space or a control character");
            }
        }
        var scheme = SCHEME.matcher(url);
        if (!scheme.find()) {
            throw error(variable, "must start with postgresql://, postgres://, postgresql+asyncpg://, "
                    + "postgresql+psycopg2:// or jdbc:postgresql:// (got scheme '" + schemeOf(url) + "')");
        }
        String rest = url.substring(scheme.end());
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            throw error(variable, "must not carry a fragment ('#')");
        }
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        String path = slash >= 0 ? rest.substring(slash + 1) : "";

        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        String hostPort = authority;
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            hostPort = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            String rawUser = colon >= 0 ? userInfo.substring(0, colon) : userInfo;
            user = rawUser.isEmpty() ? null : decode(variable, rawUser, "user name");
            if (colon >= 0) {
                password = decode(variable, userInfo.substring(colon + 1), "password");
            }
        }

        String host;
        int port = 5432;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw error(variable, "has an IPv6 host without its closing ']'");
            }
            host = hostPort.substring(1, close).replace("%25", "%");
            if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?") || !host.contains(":")) {
                throw error(variable, "has a malformed IPv6 host");
            }
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw error(variable, "has text after the IPv6 host");
                }
                port = parsePort(variable, after.substring(1));
            }
        } else {
            int colon = hostPort.lastIndexOf(':');
            host = colon >= 0 ? hostPort.substring(0, colon) : hostPort;
            if (colon >= 0) {
                port = parsePort(variable, hostPort.substring(colon + 1));
            }
            if (host.contains(",")) {
                throw error(variable, "names several hosts; give one (or put PgBouncer in front)");
            }
            if (!host.isEmpty() && !HOST_NAME.matcher(host).matches()) {
                throw error(variable, "has a malformed host name");
            }
        }
        if (host.isEmpty()) {
            throw error(variable, "names no host");
        }

        if (path.isEmpty() || !DB_NAME.matcher(path).matches()) {
            throw error(variable, "names no database (expected .../DATABASE)");
        }
        String database = decode(variable, path, "database name");
        Map<String, String> params = new LinkedHashMap<>();
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw error(variable, "has a malformed query parameter (expected key=value)");
                }
                String key = decode(variable, pair.substring(0, eq), "query parameter");
                String value = decode(variable, pair.substring(eq + 1), "query parameter");
                switch (key) {
                    case "user" -> user = value;
                    case "password" -> password = value;
                    case "ssl" -> params.putIfAbsent("sslmode", asyncpgSsl(value));
                    default -> params.put(key, value);
                }
            }
        }
        String hostForUrl = host.contains(":") ? "[" + host.replace("%", "%25") + "]" : host;
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://")
                .append(hostForUrl).append(':').append(port).append('/').append(encode(database));
        if (!params.isEmpty()) {
            StringJoiner joiner = new StringJoiner("&", "?", "");
            params.forEach((k, v) -> joiner.add(encode(k) + "=" + encode(v)));
            jdbc.append(joiner);
        }
        return new DatabaseUrl(jdbc.toString(), user, password, host, port, database);
    }

    /** The URL for display: {@code postgresql://user:***@host:port/db}. */
    public String redacted() {
        String hostForUrl = host.contains(":") ? "[" + host + "]" : host;
        String auth = user == null ? "" : user + (password == null ? "" : ":***") + "@";
        return "postgresql://" + auth + hostForUrl + ":" + port + "/" + database;
    }

    /** The password, if the URL carries one. */
    public Optional<String> passwordIfAny() {
        return Optional.ofNullable(password);
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + redacted() + "]";
    }

    private static String asyncpgSsl(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "on", "1" -> "require";
            case "false", "off", "0" -> "disable";
            default -> value;
        };
    }

    private static int parsePort(String variable, String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            throw error(variable, "has a malformed port (expected 1-65535)");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw error(variable, "has a port out of range (expected 1-65535)");
        }
        return port;
    }

    private static String decode(String variable, String text, String what) {
        try {
            // '+' is a literal plus in a URL's user info and path, not a space
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw error(variable, "has a malformed percent-encoding in its " + what);
        }
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String schemeOf(String url) {
        int sep = url.indexOf("://");
        String scheme = sep > 0 ? url.substring(0, sep) : "";
        return scheme.length() > 40 || scheme.contains("@") ? "?" : scheme;
    }

    private static IllegalArgumentException error(String variable, String what) {
        return new IllegalArgumentException(variable + " " + what);
    }
}
