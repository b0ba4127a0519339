package io.dataland.agent;

import java.time.Duration;
import java.util.List;

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
        return ServiceBoot.boot("dataland-agent", settings, CredentialGuard.Service.AGENT, tracing, dataSource -> {
            SchemaBoot.prepare(settings, dataSource);
            AgentMetrics metrics = AgentMetrics.create();
            metrics.pool(dataSource);
            UnitOfWork db = new UnitOfWork(MyBatis.sessionFactory("agent", dataSource, MAPPERS,
                    List.of(StatementInterceptor.create(metrics.registry(), tracing))));
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
