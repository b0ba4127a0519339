package io.dataland.agent;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.agent.schema.SchemaBoot;
import io.dataland.agent.store.Store;
import io.dataland.config.CredentialGuard;
import io.dataland.config.ServiceBoot;
import io.dataland.config.Settings;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/**
 * A running agent: the boot sequence (credential guard, pool and budget, schema, server) and the
 * handle tests and {@link Main} hold to stop it.
 */
public final class AgentServer implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Store store;
    private final WebServer server;
    private final String host;

    private AgentServer(HikariDataSource dataSource, Store store, WebServer server, String host) {
        this.dataSource = dataSource;
        this.store = store;
        this.server = server;
        this.host = host;
    }

    /**
     * Boots the agent with {@code settings}: credential guard and pool, then the schema (migrated under
     * the advisory lock, or checked when {@code DB_MIGRATE_ON_BOOT=false}), then the server. Throws when
     * the guard, the budget or the schema check refuses.
     */
    public static AgentServer start(Settings settings) {
        HikariDataSource dataSource = ServiceBoot.openPool("dataland-agent", settings, CredentialGuard.Service.AGENT);
        try {
            SchemaBoot.prepare(settings, dataSource);
            Store store = Store.create(dataSource);
            WebServer server = ServiceBoot.start(settings, "AGENT_PORT", 8000, dataSource, AgentServer::routing);
            return new AgentServer(dataSource, store, server, settings.get("BIND_HOST", "127.0.0.1"));
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** The agent's routes (the shared ones are added by {@link ServiceBoot#start}). */
    static void routing(HttpRouting.Builder routing) {
        // resources are registered here
    }

    /** The listening port. */
    public int port() {
        return server.port();
    }

    /** The bind host. */
    public String host() {
        return host;
    }

    /** The process's MyBatis store (one SqlSessionFactory). */
    public Store store() {
        return store;
    }

    /** The service's pool. */
    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** Stops the server, then closes the pool. */
    @Override
    public void close() {
        server.stop();
        dataSource.close();
    }
}
