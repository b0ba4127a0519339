package io.dataland.kit.http;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.kit.ServiceBoot;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.Settings;
import io.dataland.testkit.TestDatabase;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/**
 * The kit's server ({@link ServiceBoot#start}: its filters, error mapping and limits) on a free port with a
 * pool of one on {@code database}, serving the test's own {@code routes}.
 */
final class KitServer implements AutoCloseable {

    private final HikariDataSource pool;
    private final WebServer server;

    private KitServer(HikariDataSource pool, WebServer server) {
        this.pool = pool;
        this.server = server;
    }

    /** Started with the kit's defaults, {@code settings} over them. */
    static KitServer start(TestDatabase database, String name, Map<String, String> settings,
                           Consumer<HttpRouting.Builder> routes) {
        Map<String, String> env = new HashMap<>(Map.of("DATABASE_URL", database.databaseUrl(), "TEST_PORT", "0",
                "DB_POOL_SIZE", "1", "DB_MAX_OVERFLOW", "1"));
        env.putAll(settings);
        Settings loaded = Settings.load(env, "kit-defaults.yaml");
        HikariDataSource pool = ServiceBoot.openPool(name, loaded, CredentialGuard.Service.AGENT);
        return new KitServer(pool, ServiceBoot.start(loaded, "TEST_PORT", pool, routes));
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
        pool.close();
    }
}
