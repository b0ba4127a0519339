package io.dataland.kit;

import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.DatabaseSettings;
import io.dataland.kit.config.DatabaseUrl;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.DatabaseGuard;
import io.dataland.kit.db.DatabaseHealthCheck;
import io.dataland.kit.db.PoolBudget;
import io.dataland.kit.db.PoolFactory;
import io.dataland.kit.db.PoolSettings;
import io.dataland.kit.db.Pooler;
import io.dataland.kit.http.ConnectionClose;
import io.dataland.kit.http.ExactPaths;
import io.dataland.kit.http.JsonBody;
import io.dataland.kit.http.JsonErrors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.kit.telemetry.RequestMetrics;
import io.dataland.kit.telemetry.Tracing;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.helidon.webserver.spi.ServerFeature;

/**
 * The boot steps both services share, in the order the seed requires: credential guard first, then
 * the pool (through PgBouncer when {@code DB_POOL_MODE} says so) and its budget against {@code max_connections}, then (the caller's schema step), then the
 * server with {@code /observe/health} (readiness pings the database) and Prometheus metrics at
 * {@code /observe/metrics} and {@code /metrics}.
 */
public final class ServiceBoot {

    /**
     * The longest request line (method, URI, version) the server reads, 32 KiB (Helidon's default is 4 KiB).
     * A longer one is 414 with the connection closed before the rest is read, and closing with unread input
     * can reach a client still sending as a reset instead of the answer; up to this length the request is
     * routed and refused by the route (404, 400) on a connection that stays usable.
     */
    static final int MAX_REQUEST_LINE = 32 * 1024;

    private ServiceBoot() {
    }

    /**
     * Runs the credential guard for {@code service}, opens its pool and checks the pool budget.
     *
     * @throws CredentialGuard.BootRefusedException production refuses the connection string or a superuser role
     * @throws PoolBudget.OverBudgetException       production refuses the pool budget
     */
    public static HikariDataSource openPool(String poolName, Settings settings, CredentialGuard.Service service) {
        CredentialGuard.enforce(settings, service);
        DatabaseSettings.Source source = service == CredentialGuard.Service.AGENT
                ? DatabaseSettings.agent(settings) : DatabaseSettings.auth(settings);
        DatabaseUrl url = source.parse();
        PoolSettings pool = PoolSettings.from(settings);
        Pooler pooler = Pooler.from(settings);
        HikariDataSource dataSource = PoolFactory.create(poolName, url, pool, pooler);
        try {
            CredentialGuard.enforceRole(settings, service, dataSource);
            if (pooler.bouncer()) {
                DatabaseSettings.migration(settings).ifPresent(direct ->
                        DatabaseGuard.of(dataSource).probeDirectly(direct.parse()));
                PoolBudget.enforceFleet(poolName, dataSource, pool, pooler, settings.production());
            } else {
                PoolBudget.enforce(poolName, dataSource, pool, settings.production());
            }
            return dataSource;
        } catch (SQLException | RuntimeException e) {
            dataSource.close();
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("cannot read the connected role or the server's connection limits", e);
        }
    }

    /**
     * Opens the pool as {@link #openPool} does and hands it to {@code boot} (schema, wiring, server); when
     * either throws, what was opened is closed (the pool, then {@code tracing}) before the error goes on.
     */
    public static <T> T boot(String poolName, Settings settings, CredentialGuard.Service service, Tracing tracing,
                             Function<HikariDataSource, T> boot) {
        HikariDataSource dataSource;
        try {
            dataSource = openPool(poolName, settings, service);
        } catch (RuntimeException e) {
            tracing.close();
            throw e;
        }
        try {
            return boot.apply(dataSource);
        } catch (RuntimeException e) {
            tracing.close();
            dataSource.close();
            throw e;
        }
    }

    /** Health (details on, database readiness) and metrics under {@code /observe}. */
    public static ObserveFeature observe(HikariDataSource dataSource) {
        return ObserveFeature.builder()
                .addObserver(HealthObserver.builder()
                        .details(true)
                        .useSystemServices(false)
                        .addCheck(new DatabaseHealthCheck(dataSource, Duration.ofSeconds(2)))
                        .build())
                .addObserver(MetricsObserver.create())
                .build();
    }

    /**
     * A server on {@code BIND_HOST}:{@code portVariable} (port 0: any free port) with the observe
     * feature, the JSON error mapping, {@code /metrics}, the routes {@code routes} adds and any extra
     * server {@code features} (e.g. OpenAPI).
     */
    public static WebServer start(Settings settings, String portVariable,
                                  HikariDataSource dataSource, Consumer<HttpRouting.Builder> routes,
                                  ServerFeature... features) {
        return start(settings, portVariable, dataSource, Tracing.off(), routes, features);
    }

    /** As {@link #start(Settings, String, HikariDataSource, Consumer, ServerFeature...)}, with query traces. */
    public static WebServer start(Settings settings, String portVariable,
                                  HikariDataSource dataSource, Tracing tracing, Consumer<HttpRouting.Builder> routes,
                                  ServerFeature... features) {
        int port = settings.requireInt(portVariable, 0, 65535);
        String host = bindHost(settings);
        Duration poolTimeout = PoolSettings.from(settings).timeout();
        Duration retryAfter = poolTimeout.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : poolTimeout;
        var builder = WebServer.builder();
        for (ServerFeature feature : features) {
            builder.addFeature(feature);
        }
        return builder
                .host(host)
                .port(port)
                // a refused request's unread body is read and discarded after the answer (Helidon does so
                // for any body within maxPayloadSize), so its keep-alive connection survives the refusal;
                // the 64 KiB limit itself is JsonErrors.bodyLimit and JsonBody. Past DRAIN_BYTES, and for a
                // request line over MAX_REQUEST_LINE, Helidon answers and closes without reading the rest
                .maxPayloadSize(JsonBody.DRAIN_BYTES)
                .addProtocol(Http1Config.builder().maxPrologueLength(MAX_REQUEST_LINE).build())
                .maxTcpConnections(settings.requireInt("SERVER_MAX_CONNECTIONS", 1, 1_000_000))
                .maxConcurrentRequests(settings.requireInt("SERVER_MAX_CONCURRENT_REQUESTS", 1, 1_000_000))
                // small writes (SSE events, a response's headers then body) must not wait on Nagle + delayed ACK
                .connectionOptions(options -> options.tcpNoDelay(true))
                .directHandlers(JsonErrors.directHandlers())
                .shutdownHook(false)
                .addFeature(observe(dataSource))
                .routing(routing -> {
                    routing.addFilter(ConnectionClose.filter());
                    tracing.register(routing);
                    routing.addFilter(RequestMetrics.create());
                    routing.addFilter(ExactPaths.filter());
                    routing.addFilter(JsonErrors.bodyLimit());
                    routing.addFilter(JsonErrors.controlCharacters());
                    DatabaseGuard guard = DatabaseGuard.of(dataSource);
                    JsonErrors.register(routing, retryAfter, guard::suspect);
                    routing.get("/metrics", (req, res) -> res.reroute("/observe/metrics"));
                    routes.accept(routing);
                })
                .build()
                .start();
    }

    /** The listen address: {@code BIND_HOST}, else {@link #defaultBindHost()}. */
    public static String bindHost(Settings settings) {
        return settings.get("BIND_HOST", defaultBindHost());
    }

    /** {@code 0.0.0.0} inside a container (so the published port reaches it), {@code 127.0.0.1} outside. */
    static String defaultBindHost() {
        return Files.exists(Path.of("/.dockerenv")) || System.getenv("container") != null ? "0.0.0.0" : "127.0.0.1";
    }
}
