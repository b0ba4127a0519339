package io.dataland.auth.account;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.dataland.auth.throttle.ThrottleMapper;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.http.ApiException;
import io.helidon.http.Status;

/**
 * Who may sign up, and how often. {@code SIGNUP_MODE}: {@code open} (anyone), {@code domains} (only
 * addresses under {@code SIGNUP_ALLOWED_DOMAINS}), {@code closed} (nobody: operators add accounts). Unset:
 * {@code open} in development; in production {@code domains} when domains are set, else {@code closed},
 * so a production deploy never opens signup by omission. Signups are counted per client address and
 * globally within {@code LOGIN_LOCK_WINDOW_SECONDS} (one statement each, in the throttle table); over a
 * limit 429 {@code too_many_signups} with {@code Retry-After}, checked before the email is looked up, so
 * {@code 409 email_taken} cannot be used to enumerate accounts at speed.
 */
public final class SignupGate {

    /** The modes. */
    public enum Mode { OPEN, DOMAINS, CLOSED }

    private final UnitOfWork db;
    private final Mode mode;
    private final List<String> domains;
    private final int perAddress;
    private final int global;
    private final int windowSeconds;

    /** A gate over the throttle table in {@code db}. */
    public SignupGate(UnitOfWork db, Mode mode, List<String> domains, int perAddress, int global, int windowSeconds) {
        this.db = db;
        this.mode = mode;
        this.domains = List.copyOf(domains);
        this.perAddress = perAddress;
        this.global = global;
        this.windowSeconds = windowSeconds;
        if (mode == Mode.DOMAINS && domains.isEmpty()) {
            throw new IllegalArgumentException("SIGNUP_MODE=domains needs SIGNUP_ALLOWED_DOMAINS");
        }
    }

    /** From {@code SIGNUP_MODE}, {@code SIGNUP_ALLOWED_DOMAINS}, {@code SIGNUP_LIMIT_PER_ADDRESS}, {@code SIGNUP_LIMIT_GLOBAL}. */
    public static SignupGate from(Settings settings, UnitOfWork db) {
        List<String> domains = Arrays.stream(settings.find("SIGNUP_ALLOWED_DOMAINS").orElse("").split(","))
                .map(d -> d.strip().toLowerCase(Locale.ROOT)).filter(d -> !d.isEmpty())
                .map(d -> d.startsWith("@") ? d.substring(1) : d).toList();
        Mode mode = settings.find("SIGNUP_MODE").filter(m -> !m.isBlank())
                .map(m -> Mode.valueOf(m.strip().toUpperCase(Locale.ROOT)))
                .orElse(!settings.production() ? Mode.OPEN : domains.isEmpty() ? Mode.CLOSED : Mode.DOMAINS);
        return new SignupGate(db, mode, domains, settings.requireInt("SIGNUP_LIMIT_PER_ADDRESS", 1, 1_000_000),
                settings.requireInt("SIGNUP_LIMIT_GLOBAL", 1, 10_000_000),
                settings.requireInt("LOGIN_LOCK_WINDOW_SECONDS", 1, 86_400 * 30));
    }

    /** The mode in force. */
    public Mode mode() {
        return mode;
    }

    /** Counts this signup from {@code address}: 403 when signup is closed, 429 when over a limit. */
    public void admit(String address) {
        if (mode == Mode.CLOSED) {
            throw new ApiException(Status.FORBIDDEN_403, "signup_closed",
                    "signup is closed; ask an administrator for an account");
        }
        List<ThrottleMapper.Counted> rows = db.inTransaction(session -> session.getMapper(ThrottleMapper.class)
                .countSignup(address, windowSeconds));
        long retry = 0;
        for (ThrottleMapper.Counted row : rows) {
            int limit = row.scope().equals("signup-address") ? perAddress : global;
            if (row.failures() > limit) {
                retry = Math.max(retry, row.lockedSeconds() == null ? 1 : row.lockedSeconds());
            }
        }
        if (retry > 0) {
            throw new ApiException(Status.TOO_MANY_REQUESTS_429, "too_many_signups",
                    "too many signups; try again later", Duration.ofSeconds(Math.clamp(retry, 1, windowSeconds)));
        }
    }

    /** 403 {@code signup_domain_not_allowed} unless {@code email} (normalised) may sign up in this mode. */
    public void checkDomain(String email) {
        if (mode != Mode.DOMAINS) {
            return;
        }
        String domain = email.substring(email.lastIndexOf('@') + 1);
        if (!domains.contains(domain)) {
            throw new ApiException(Status.FORBIDDEN_403, "signup_domain_not_allowed",
                    "signup is open to addresses under " + String.join(", ", domains) + " only");
        }
    }
}
