package io.dataland.kit;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.kit.telemetry.Tracing;
import io.helidon.webserver.WebServer;

/**
 * What a booted service holds and how it stops, the same for both services: the server, its bind host,
 * the pool and the tracing. A service adds its own first step of the shutdown in {@link #stopAccepting()}
 * (the agent drains its turns, auth stops its housekeeping); then the server stops, tracing flushes and
 * the pool closes last, so nothing still running loses its connections.
 */
public abstract class RunningServer implements ServiceMain.Server {

    private final HikariDataSource dataSource;
    private final WebServer server;
    private final String host;
    private final Tracing tracing;

    protected RunningServer(HikariDataSource dataSource, WebServer server, String host, Tracing tracing) {
        this.dataSource = dataSource;
        this.server = server;
        this.host = host;
        this.tracing = tracing;
    }

    /** The listening port. */
    @Override
    public final int port() {
        return server.port();
    }

    /** The bind host. */
    @Override
    public final String host() {
        return host;
    }

    /** The service's pool. */
    public final HikariDataSource dataSource() {
        return dataSource;
    }

    /** The service's first shutdown step, before the server stops; nothing by default. */
    protected void stopAccepting() {
    }

    /** Stops the service: {@link #stopAccepting()}, then the server, tracing and the pool. */
    @Override
    public final void close() {
        stopAccepting();
        server.stop();
        tracing.close();
        dataSource.close();
    }
}
