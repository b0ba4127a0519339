package io.dataland.auth;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.config.CredentialGuard;
import io.dataland.config.ServiceBoot;
import io.dataland.config.Settings;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/**
 * A running auth: the boot sequence (credential guard, pool and budget, schema, server) and the
 * handle tests and {@link Main} hold to stop it.
 */
public final class AuthServer implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final WebServer server;
    private final String host;

    private AuthServer(HikariDataSource dataSource, WebServer server, String host) {
        this.dataSource = dataSource;
        this.server = server;
        this.host = host;
    }

    /** Boots the auth with {@code settings}; throws when the guard or the budget refuses. */
    public static AuthServer start(Settings settings) {
        HikariDataSource dataSource = ServiceBoot.openPool("dataland-auth", settings, CredentialGuard.Service.AUTH);
        try {
            WebServer server = ServiceBoot.start(settings, "AUTH_PORT", 8001, dataSource, AuthServer::routing);
            return new AuthServer(dataSource, server, settings.get("BIND_HOST", "127.0.0.1"));
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** The auth's routes (the shared ones are added by {@link ServiceBoot#start}). */
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
