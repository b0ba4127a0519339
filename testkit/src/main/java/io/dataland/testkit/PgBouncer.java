package io.dataland.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A PgBouncer (Debian's {@code pgbouncer}, 1.18 here) in front of one embedded PostgreSQL database, as
 * the fleet runs it: {@code pool_mode = transaction} (or {@code session}), md5 authentication of the
 * application role from its own user list, {@code max_db_connections} server connections at most.
 *
 * <p>pgjdbc sends {@code extra_float_digits} at start-up, a parameter PgBouncer does not track, hence
 * {@code ignore_startup_parameters}. PgBouncer refuses to run as root, so as root it is started with
 * {@code -u nobody} and its configuration is made readable by everyone (it holds only the test role's
 * password).
 */
public final class PgBouncer implements AutoCloseable {

    /** The settings of one PgBouncer. */
    public record Config(String poolMode, int defaultPoolSize, int maxDbConnections, int maxClientConn) {

        /** Transaction pooling with {@code serverConnections} server connections and room for 1000 clients. */
        public static Config transaction(int serverConnections) {
            return new Config("transaction", serverConnections, serverConnections, 1000);
        }
    }

    private final int port;
    private final Config config;
    private final Path dir;
    private final ChildProcess process;

    private PgBouncer(int port, Config config, Path dir, ChildProcess process) {
        this.port = port;
        this.config = config;
        this.dir = dir;
        this.process = process;
    }

    /**
     * Writes the configuration under {@code dir} and starts PgBouncer on {@code port} (0: a free one),
     * forwarding {@code database} to {@code pg}. {@code executable}: see {@link HostTool}.
     */
    public static PgBouncer start(Path executable, Path dir, int port, EmbeddedPg pg, String database, Config config) {
        try {
            int listen = port > 0 ? port : Ports.free();
            Files.createDirectories(dir);
            Path users = dir.resolve("userlist.txt");
            Files.writeString(users, "\"" + EmbeddedPg.APP_USER + "\" \"" + pg.appPassword().replace("\"", "\"\"") + "\"\n");
            Path ini = dir.resolve("pgbouncer.ini");
            Files.writeString(ini, """
                    [databases]
                    %s = host=127.0.0.1 port=%d dbname=%s

                    [pgbouncer]
                    listen_addr = 127.0.0.1
                    listen_port = %d
                    unix_socket_dir =
                    auth_type = md5
                    auth_file = %s
                    pool_mode = %s
                    default_pool_size = %d
                    max_db_connections = %d
                    max_client_conn = %d
                    ignore_startup_parameters = extra_float_digits
                    server_login_retry = 1
                    query_wait_timeout = 60
                    admin_users = %s
                    stats_users = %s
                    """.formatted(database, pg.port(), database, listen, users, config.poolMode(),
                    config.defaultPoolSize(), config.maxDbConnections(), config.maxClientConn(),
                    EmbeddedPg.APP_USER, EmbeddedPg.APP_USER));
            List<String> command = new ArrayList<>(List.of(executable.toString()));
            if ("root".equals(System.getProperty("user.name"))) {
                for (Path p : List.of(dir, users, ini)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
                }
                command.addAll(List.of("-u", "nobody"));
            }
            command.add(ini.toString());
            ChildProcess process = new ChildProcess("pgbouncer", command, dir.resolve("pgbouncer.log"));
            process.start(listen, Duration.ofSeconds(30));
            return new PgBouncer(listen, config, dir, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure PgBouncer", e);
        }
    }

    /** The listening port. */
    public int port() {
        return port;
    }

    /** Its settings. */
    public Config config() {
        return config;
    }

    /** Its working directory (configuration and log). */
    public Path dir() {
        return dir;
    }

    /** {@code postgresql://dataland:PASSWORD@127.0.0.1:PORT/DATABASE}, the form the services read. */
    public String databaseUrl(EmbeddedPg pg, String database) {
        return "postgresql://" + EmbeddedPg.APP_USER + ":" + pg.appPassword() + "@127.0.0.1:" + port + "/" + database;
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/DATABASE}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The last lines of its log. */
    public String logTail() {
        return process.tail();
    }

    /** SIGTERM (then SIGKILL). */
    @Override
    public void close() {
        process.stop();
    }
}
