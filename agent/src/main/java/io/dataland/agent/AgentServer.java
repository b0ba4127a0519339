package io.dataland.agent;

import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.agent.conversation.ConversationMapper;
import io.dataland.agent.message.MessageMapper;
import io.dataland.agent.metrics.AgentMetrics;
import io.dataland.agent.run.RunMapper;
import io.dataland.agent.schema.SchemaBoot;
import io.dataland.agent.ticket.TicketMapper;
import io.dataland.agent.user.UserMapper;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.ServiceBoot;
import io.dataland.kit.ServiceMain;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.MyBatis;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.telemetry.StatementInterceptor;
import io.dataland.kit.telemetry.Tracing;
import io.helidon.openapi.OpenApiFeature;
import io.helidon.webserver.WebServer;

/**
 * A running agent: the boot sequence (credential guard, pool and budget, schema, server) and the
 * handle tests and {@link Main} hold to stop it.
 */
public final class AgentServer implements ServiceMain.Server {

    /** Every mapper of the agent (each one's XML beside it on the class path). */
    public static final List<Class<?>> MAPPERS = List.of(UserMapper.class, TicketMapper.class,
            ConversationMapper.class, MessageMapper.class, RunMapper.class);

    private final HikariDataSource dataSource;
    private final AgentApi api;
    private final WebServer server;
    private final String host;
    private final Tracing tracing;

    private AgentServer(HikariDataSource dataSource, AgentApi api, WebServer server, String host,
                        Tracing tracing) {
        this.tracing = tracing;
        this.dataSource = dataSource;
        this.api = api;
        this.server = server;
        this.host = host;
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
            WebServer server = ServiceBoot.start(settings, "AGENT_PORT", dataSource, tracing, api::routing,
                    OpenApiFeature.create());
            return new AgentServer(dataSource, api, server, ServiceBoot.bindHost(settings), tracing);
        });
    }

    /** The API (its routes are added to the shared ones by {@link ServiceBoot#start}). */
    public AgentApi api() {
        return api;
    }

    /** The listening port. */
    public int port() {
        return server.port();
    }

    /** The bind host. */
    public String host() {
        return host;
    }

    /** The service's pool. */
    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** Stops the server, then closes the pool. */
    @Override
    public void close() {
        server.stop();
        tracing.close();
        dataSource.close();
    }
}
