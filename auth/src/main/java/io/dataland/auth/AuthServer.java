package io.dataland.auth;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.auth.account.AuthApiService;
import io.dataland.auth.account.ClientAddress;
import io.dataland.auth.account.SignupGate;
import io.dataland.auth.account.Authenticator;
import io.dataland.auth.jwks.ExtraJwks;
import io.dataland.auth.jwks.JwksService;
import io.dataland.auth.password.HashBulkhead;
import io.dataland.auth.password.LibArgon2;
import io.dataland.auth.password.PasswordHasher;
import io.dataland.auth.throttle.LoginThrottle;
import io.dataland.auth.token.KeyRing;
import io.dataland.auth.token.Tokens;
import io.dataland.auth.web.StaffPagesService;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.ServiceBoot;
import io.dataland.kit.RunningServer;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.telemetry.Tracing;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/**
 * A running auth: the boot sequence (credential guard, pool and budget, bootstrap DDL, keys, server)
 * and the handle tests and {@link Main} hold to stop it.
 */
public final class AuthServer extends RunningServer {

    private static final Logger LOG = Logger.getLogger(AuthServer.class.getName());

    private final ScheduledExecutorService housekeeping;

    private AuthServer(HikariDataSource dataSource, WebServer server, String host, ScheduledExecutorService housekeeping,
                       Tracing tracing) {
        super(dataSource, server, host, tracing);
        this.housekeeping = housekeeping;
    }

    /** The parts the routes use, built once per process. */
    record Parts(Authenticator authenticator, Tokens tokens, KeyRing keys, ExtraJwks extraJwks, Duration ttl,
                 LoginThrottle throttle, ClientAddress clients) {

        static Parts create(Settings settings, UnitOfWork db) {
            Path dataDir = dataDir(settings);
            long recheckMillis = settings.requireInt("AUTH_KEYS_RECHECK_MILLIS", 0, 3_600_000);
            KeyRing keys = KeyRing.open(dataDir, recheckMillis);
            ExtraJwks extra = ExtraJwks.open(dataDir, recheckMillis, settings.production());
            Duration ttl = Duration.ofSeconds(settings.requireInt("JWT_TTL_SECONDS", 60, 30 * 86_400));
            Tokens tokens = new Tokens(keys, ttl, settings.require("JWT_ISSUER"),
                    settings.find("JWT_AUDIENCE").orElse(null), Clock.systemUTC());
            PasswordHasher hasher = new PasswordHasher(PasswordHasher.select(settings.require("ARGON2_IMPL"),
                    LibArgon2.CANDIDATES));
            HashBulkhead bulkhead = HashBulkhead.create(settings, hasher.engine());
            LoginThrottle throttle = LoginThrottle.from(settings, db);
            SignupGate gate = SignupGate.from(settings, db);
            LOG.info(() -> "signup mode: " + gate.mode().name().toLowerCase(java.util.Locale.ROOT));
            Authenticator authenticator = new Authenticator(db, hasher, bulkhead,
                    throttle, tokens, gate);
            return new Parts(authenticator, tokens, keys, extra, ttl, throttle, ClientAddress.from(settings));
        }
    }

    /** Boots the auth with {@code settings}; throws when the guard, the budget, the DDL or the keys refuse. */
    public static AuthServer start(Settings settings) {
        return start(settings, Tracing.fromSettings(settings, "dataland-auth"));
    }

    /** As {@link #start(Settings)}, with request and statement spans going to {@code tracing} (closed with the auth). */
    public static AuthServer start(Settings settings, Tracing tracing) {
        try {
            DataDir.require(dataDir(settings)); // before the pool: a wrong owner is reported with its fix, not as a trace
        } catch (RuntimeException e) {
            tracing.close();
            throw e;
        }
        return ServiceBoot.boot("dataland-auth", settings, CredentialGuard.Service.AUTH, tracing, dataSource -> {
            AuthDatabase.bootstrap(dataSource);
            Parts parts = Parts.create(settings, AuthDatabase.unitOfWork(dataSource, tracing));
            LOG.info(() -> "auth signing key " + parts.keys().current().kid() + " (" + parts.keys().all().size()
                    + " key(s) in the JWKS, " + parts.extraJwks().keys().size() + " extra)");
            WebServer server = ServiceBoot.start(settings, "AUTH_PORT", dataSource, tracing,
                    routing -> routing(routing, parts));
            return new AuthServer(dataSource, server, ServiceBoot.bindHost(settings), purgeThrottle(parts.throttle()),
                    tracing);
        });
    }

    /** Deletes brute-force counters that no longer matter, every ten minutes, so sprayed emails do not pile up. */
    private static ScheduledExecutorService purgeThrottle(LoginThrottle throttle) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("auth-throttle-purge").daemon(true).factory());
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                throttle.purgeExpired();
            } catch (RuntimeException e) {
                LOG.warning("login throttle purge failed: " + e.getClass().getSimpleName());
            }
        }, 1, 10, TimeUnit.MINUTES);
        return scheduler;
    }

    /** {@code AUTH_DATA_DIR}. */
    static Path dataDir(Settings settings) {
        return Path.of(settings.require("AUTH_DATA_DIR")).toAbsolutePath().normalize();
    }

    /** The auth's routes (the shared ones are added by {@link ServiceBoot#start}). */
    static void routing(HttpRouting.Builder routing, Parts parts) {
        routing.register("/auth", new AuthApiService(parts.authenticator(), parts.tokens(), parts.clients()))
                .register("/.well-known", new JwksService(parts.keys(), parts.extraJwks()))
                .register("/", new StaffPagesService(parts.authenticator(), parts.tokens(), parts.ttl(),
                        parts.clients()));
    }

    /** Stops the throttle purge; then the server stops and the pool closes. */
    @Override
    protected void stopAccepting() {
        housekeeping.shutdownNow();
    }
}
