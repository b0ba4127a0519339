package io.dataland.kit.config;

import java.net.InetAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * The production credential guard, the seed's {@code assert_boot_required_env}.
 *
 * <p>With {@code APP_ENV=production} a service refuses to boot when its connection string
 * <ul>
 *   <li>is empty or unset ({@link Rule#URL_EMPTY}: production has no default),</li>
 *   <li>cannot be parsed ({@link Rule#MALFORMED_URL}),</li>
 *   <li>carries a documented development password ({@link Rule#DEFAULT_CREDENTIALS}): {@code dataland}, the
 *       compose default of every role ({@code dataland}, {@code dataland_agent}, {@code dataland_auth}), or the
 *       role's own name,</li>
 *   <li>points at a loopback host ({@link Rule#LOOPBACK_HOST}: {@code localhost}, {@code localhost.},
 *       {@code 127.x.y.z}, {@code ::1}).</li>
 * </ul>
 * and, once connected ({@link #enforceRole}), when the role it connected as is a superuser
 * ({@link Rule#SUPERUSER}: production never connects as the database superuser; each service has its own
 * role, docs/operations.md "Database roles").
 * In development and test the same findings are one warning and the service goes on. The static checks
 * run before a deploy as {@code check-env --env-file PATH} ({@link CheckEnv}).
 */
public final class CredentialGuard {

    private static final Logger LOG = Logger.getLogger(CredentialGuard.class.getName());
    private static final String DEFAULT_CREDS = "dataland:dataland";
    /** The development password compose gives every role when .env sets none. */
    private static final String DEFAULT_PASSWORD = "dataland";

    /** What a connection string can be refused for; {@link #id()} is what messages name. */
    public enum Rule {
        URL_EMPTY("url-empty"),
        MALFORMED_URL("malformed-url"),
        DEFAULT_CREDENTIALS("default-credentials"),
        LOOPBACK_HOST("loopback-host"),
        SUPERUSER("superuser");

        private final String id;

        Rule(String id) {
            this.id = id;
        }

        /** The rule's name as messages print it. */
        public String id() {
            return id;
        }
    }

    /** Which service's connection string to check. */
    public enum Service { AGENT, AUTH }

    /** One finding: which variable broke which rule, and a message without any secret. */
    public record Violation(String variable, Rule rule, String message) {
        @Override
        public String toString() {
            return "[" + rule.id() + "] " + message;
        }
    }

    /** Thrown when production refuses to boot; its message names every rule broken. */
    public static final class BootRefusedException extends RuntimeException {
        private final transient List<Violation> violations;

        BootRefusedException(String message, List<Violation> violations) {
            super(message);
            this.violations = List.copyOf(violations);
        }

        /** The findings that refused the boot. */
        public List<Violation> violations() {
            return violations;
        }
    }

    private CredentialGuard() {
    }

    /** The findings for {@code service}'s connection string under {@code settings}. */
    public static List<Violation> check(Settings settings, Service service) {
        List<Violation> found = new ArrayList<>();
        DatabaseSettings.Source source = service == Service.AGENT
                ? DatabaseSettings.agent(settings) : DatabaseSettings.auth(settings);
        boolean explicit = service == Service.AGENT
                ? settings.find("DATABASE_URL").isPresent()
                : settings.find("AUTH_DATABASE_URL").or(() -> settings.find("DATABASE_URL")).isPresent();
        if (!explicit) {
            String names = service == Service.AGENT ? "DATABASE_URL" : "AUTH_DATABASE_URL (or DATABASE_URL)";
            found.add(new Violation(source.variable(), Rule.URL_EMPTY,
                    names + " is empty or unset, so the built-in local default would be used"));
        }
        String raw = source.url();
        DatabaseUrl url;
        try {
            url = source.parse();
        } catch (IllegalArgumentException e) {
            found.add(new Violation(source.variable(), Rule.MALFORMED_URL, e.getMessage()));
            return found;
        }
        boolean defaultCreds = raw.contains(DEFAULT_CREDS) || DEFAULT_PASSWORD.equals(url.password())
                || (url.user() != null && url.user().equals(url.password()));
        if (defaultCreds) {
            found.add(new Violation(source.variable(), Rule.DEFAULT_CREDENTIALS, source.variable()
                    + " carries a publicly documented development password (dataland, or the role's own name); rotate it"));
        }
        if (isLoopback(url.host())) {
            found.add(new Violation(source.variable(), Rule.LOOPBACK_HOST, source.variable()
                    + " points at the loopback host '" + url.host() + "'; production must name the "
                    + "database's network host (e.g. dataland-postgres) or a managed database"));
        }
        return found;
    }

    /**
     * Runs the guard for {@code service} at boot: in production any finding throws
     * {@link BootRefusedException}; elsewhere the findings are logged once as a warning.
     */
    public static void enforce(Settings settings, Service service) {
        List<Violation> found = check(settings, service);
        if (found.isEmpty()) {
            return;
        }
        String summary = describe(found);
        if (settings.production()) {
            throw new BootRefusedException("APP_ENV=production refuses to boot the "
                    + service.name().toLowerCase(Locale.ROOT) + ": " + summary, found);
        }
        LOG.warning(() -> "credential guard (APP_ENV=" + settings.appEnv() + ", warn only): " + summary);
    }

    /**
     * The connected-role check, run at boot once the pool is open: a service connected as a superuser
     * ({@code pg_roles.rolsuper}) could read and drop the other service's tables, so production refuses
     * to boot; elsewhere it is one warning. Throws {@link BootRefusedException}.
     */
    public static void enforceRole(Settings settings, Service service, DataSource dataSource) throws SQLException {
        String role;
        boolean superuser;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")) {
            if (!rs.next()) {
                return;
            }
            role = rs.getString(1);
            superuser = rs.getBoolean(2);
        }
        if (!superuser) {
            return;
        }
        DatabaseSettings.Source source = service == Service.AGENT
                ? DatabaseSettings.agent(settings) : DatabaseSettings.auth(settings);
        Violation v = new Violation(source.variable(), Rule.SUPERUSER, source.variable() + " connects as '" + role
                + "', a superuser; connect as the service's own role (dataland_agent / dataland_auth, docs/operations.md)");
        if (settings.production()) {
            throw new BootRefusedException("APP_ENV=production refuses to boot the "
                    + service.name().toLowerCase(Locale.ROOT) + ": " + v, List.of(v));
        }
        LOG.warning(() -> "credential guard (APP_ENV=" + settings.appEnv() + ", warn only): " + v);
    }

    /** The findings as one line, each with its rule. */
    public static String describe(List<Violation> found) {
        return String.join("; ", found.stream().map(Violation::toString).toList());
    }

    /** Whether {@code host} names the loopback interface, without any name lookup. */
    public static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (h.matches("\\d{1,3}(\\.\\d{1,3}){3}") || h.contains(":")) {
            return literalLoopback(h).orElse(false);
        }
        return false;
    }

    private static Optional<Boolean> literalLoopback(String literal) {
        try {
            // a literal address is parsed, not looked up
            String bare = literal.contains("%") ? literal.substring(0, literal.indexOf('%')) : literal;
            if (!bare.matches("[0-9a-f:.]+")) {
                return Optional.empty();
            }
            InetAddress address = InetAddress.getByName(bare); // a literal: no lookup happens
            return Optional.of(address.isLoopbackAddress()); // ::ffff:127.0.0.1 parses as IPv4
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }
}
