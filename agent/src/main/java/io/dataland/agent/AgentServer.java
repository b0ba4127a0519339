package io.dataland.agent;

import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.agent.conversation.ConversationMapper;
import io.dataland.agent.message.MessageMapper;
import io.dataland.agent.metrics.AgentMetrics;
import io.dataland.agent.run.RunMapper;
import io.dataland.agent.run.RunReaper;
import io.dataland.agent.schema.SchemaBoot;
import io.dataland.agent.ticket.TicketMapper;
import io.dataland.agent.user.UserMapper;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.ServiceBoot;
import io.dataland.kit.RunningServer;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.MyBatis;
import io.dataland.kit.db.PoolSettings;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.telemetry.StatementInterceptor;
import io.dataland.kit.telemetry.Tracing;
import io.helidon.openapi.OpenApiFeature;
import io.helidon.webserver.WebServer;

/**
 * A running agent: the boot sequence (credential guard, pool and budget, schema, server) and the
 * handle tests and {@link Main} hold to stop it.
 */
public final class AgentServer extends RunningServer {

    /** Every mapper of the agent (each one's XML beside it on the class path). */
    public static final List<Class<?>> MAPPERS = List.of(UserMapper.class, TicketMapper.class,
            ConversationMapper.class, MessageMapper.class, RunMapper.class);

    private final AgentApi api;
    private final RunReaper reaper;
    private final Duration drainTimeout;

    private AgentServer(HikariDataSource dataSource, AgentApi api, WebServer server, String host,
                        Tracing tracing, RunReaper reaper, Duration drainTimeout) {
        super(dataSource, server, host, tracing);
        this.api = api;
        this.reaper = reaper;
        this.drainTimeout = drainTimeout;
    }

    /**
     * Boots the agent with {@code settings}: credential guard and pool, then the schema (migrated under
     * the advisory lock, or checked when {@code DB_MIGRATE_ON_BOOT=false}), then the server. Throws when
     * the guard, the budget or the schema check refuses.
     */
    public static AgentServer start(Settings settings) {
        return start(settings, Tracing.fromSettings(settings, "dataland-agent"));
    }

    /** As {@link #start(Settings)}, with query traces going to {@code tracing} (closed with the agent). */
    public static AgentServer start(Settings settings, Tracing tracing) {
        // The Python stack's worker count: one JVM serves every core here, so there is nothing to size.
        settings.find("UVICORN_WORKERS").ifPresent(workers -> java.util.logging.Logger.getLogger(AgentServer.class.getName())
                .info("UVICORN_WORKERS=" + workers + " is the Python stack's setting; this agent is one process and ignores it"
                        + " (size the pool with DB_POOL_SIZE, DB_MAX_OVERFLOW and DB_EXPECTED_INSTANCES)"));
        // Work that needs neither the schema nor a connection runs on the other core while this thread opens
        // the pool and checks the schema: Helidon's service registry (behind the metrics), the JDK's default
        // TLS context (the JWKS client's: reading the trust store is the cost), and MyBatis's configuration
        // (parsing the mapper XML) once the pool object exists. Cold, each costs a boot 0.1-0.2 s of CPU.
        // A failure surfaces at join, as it would have in line.
        CompletableFuture<AgentMetrics> metricsReady = background("agent-boot-metrics", AgentMetrics::create);
        CompletableFuture<SSLContext> tlsReady = background("agent-boot-tls", AgentServer::defaultTlsContext);
        return ServiceBoot.boot("dataland-agent", settings, CredentialGuard.Service.AGENT, tracing, dataSource -> {
            CompletableFuture<UnitOfWork> dbReady = background("agent-boot-mybatis", () -> new UnitOfWork(
                    MyBatis.sessionFactory("agent", dataSource, MAPPERS,
                            List.of(StatementInterceptor.create(join(metricsReady).registry(), tracing)))));
            SchemaBoot.prepare(settings, dataSource);
            AgentMetrics metrics = join(metricsReady);
            metrics.pool(dataSource);
            UnitOfWork db = join(dbReady);
            join(tlsReady);
            AgentApi api = AgentApi.create(settings, db, metrics);
            // runs a dead process left open are closed before this agent serves (and every minute after)
            RunReaper reaper = new RunReaper(db, RunReaper.orphanAge(
                    Duration.ofSeconds(settings.requireInt("MODEL_TIMEOUT_SECONDS", 1, 3600)),
                    PoolSettings.from(settings).timeout())).start();
            WebServer server;
            try {
                server = ServiceBoot.start(settings, "AGENT_PORT", dataSource, tracing, api::routing,
                        OpenApiFeature.create());
            } catch (RuntimeException e) {
                reaper.close();
                throw e;
            }
            return new AgentServer(dataSource, api, server, ServiceBoot.bindHost(settings), tracing, reaper,
                    Duration.ofSeconds(settings.requireInt("SHUTDOWN_DRAIN_SECONDS", 0, 3600)));
        });
    }

    /** {@code work} on a daemon thread of its own (a boot that fails does not wait for it). */
    private static <T> CompletableFuture<T> background(String name, Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, task -> Thread.ofPlatform().daemon().name(name).start(task));
    }

    /** The result of a boot step run in the background, or its own exception. */
    private static <T> T join(CompletableFuture<T> step) {
        try {
            return step.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** The JDK's default TLS context (made once per JVM), which the JWKS client is built with. */
    private static SSLContext defaultTlsContext() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    /** The API (its routes are added to the shared ones by {@link ServiceBoot#start}). */
    public AgentApi api() {
        return api;
    }

    /**
     * Stops gracefully (SIGTERM): new turns are refused, turns in flight get {@code SHUTDOWN_DRAIN_SECONDS}
     * to finish (the rest are closed {@code error} "shutdown"); then the server stops and the pool closes.
     */
    @Override
    protected void stopAccepting() {
        api.chat().drain(drainTimeout);
        reaper.close();
    }
}
