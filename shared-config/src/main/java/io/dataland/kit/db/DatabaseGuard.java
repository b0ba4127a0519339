package io.dataland.kit.db;

import java.io.PrintWriter;
import io.dataland.kit.config.DatabaseUrl;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

/**
 * One view of the database's state per pool, shared by the request path and readiness: up, or
 * unreachable. It tells "pool busy" (wait up to {@code DB_POOL_TIMEOUT}, as before) from "database
 * unreachable" (fail at once: 503 with {@code Retry-After}, no pool wait).
 *
 * <p>How it knows: a borrow that has waited {@link #SUSPECT_AFTER} without a connection, or a connection
 * failure (SQLState 08xxx) seen anywhere, makes it <em>suspect</em>; a probe then opens one connection of
 * its own, outside the pool (connect timeout 2 s), and runs {@code SELECT 1}; behind PgBouncer a probe that
 * only waited asks PostgreSQL directly when a direct URL is known ({@link #probeDirectly}), since there
 * the probe queues with every other client. If the probe fails the state is down: every borrow
 * still waiting is interrupted and answers 503, new borrows answer 503 without touching the pool, the pool
 * stops refilling (minimum idle 0, so Hikari's creator is not left in its 5 s back-off) and its connections
 * are evicted. The probe repeats every {@link #PROBE_EVERY}; the first success restores the minimum idle,
 * evicts what the pool held (connections to the old server would cost the first request a validation
 * failure) and opens the gate: the first request creates a fresh connection at once.
 */
public final class DatabaseGuard {

    private static final Logger LOG = Logger.getLogger(DatabaseGuard.class.getName());
    /** How long a borrow waits before the database is probed (a busy pool usually answers sooner). */
    static final Duration SUSPECT_AFTER = Duration.ofMillis(300);
    /** How often an unreachable database is probed. */
    static final Duration PROBE_EVERY = Duration.ofMillis(100);
    private static final int PROBE_TIMEOUT_SECONDS = 2;

    private static final Map<HikariDataSource, DatabaseGuard> GUARDS = new ConcurrentHashMap<>();
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "db-guard-timer");
        t.setDaemon(true);
        return t;
    });

    private final HikariDataSource pool;
    private final int minimumIdle;
    private final DataSource guarded = new Guarded();
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile boolean down;
    private volatile DatabaseUrl direct;
    private volatile long downSince;

    private DatabaseGuard(HikariDataSource pool) {
        this.pool = pool;
        this.minimumIdle = pool.getMinimumIdle();
    }

    /** The guard of {@code pool} (one per pool, created on first use). */
    public static DatabaseGuard of(HikariDataSource pool) {
        GUARDS.keySet().removeIf(HikariDataSource::isClosed);
        return GUARDS.computeIfAbsent(pool, DatabaseGuard::new);
    }

    /** The pool behind a data source that fails fast while the database is unreachable. */
    public DataSource dataSource() {
        return guarded;
    }

    /** Whether the database is known to be unreachable. */
    public boolean isDown() {
        return down;
    }

    /** Whether {@code e} means the connection to the server failed (not a busy pool, not a bad statement). */
    public static boolean isConnectionFailure(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().equals("57P01")
                    || sql.getSQLState().equals("57P02") || sql.getSQLState().equals("57P03"))) {
                return true;
            }
            if (t instanceof java.net.ConnectException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** A failure was seen that may mean the database is gone: probe it (at most one probe at a time). */
    public void suspect() {
        if (!probing.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("db-guard-probe").start(() -> {
            try {
                while (!pool.isClosed()) {
                    SQLException failure = probe();
                    if (failure == null) {
                        if (down) {
                            markUp();
                        }
                        return;
                    }
                    if (!down) {
                        markDown(failure);
                    }
                    Thread.sleep(PROBE_EVERY);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                probing.set(false);
            }
        });
    }

    /**
     * Readiness: while down, one synchronous probe (so readiness turns up as soon as the server does, without
     * waiting for the next scheduled probe); true when the database is reachable.
     */
    public boolean recheck() {
        if (!down) {
            return true;
        }
        if (probe() == null) {
            markUp();
            return true;
        }
        return false;
    }

    /** One connection of its own (not the pool's) and a query: null when the database is there, else why not. */
    SQLException probe() {
        long t0 = System.nanoTime();
        SQLException r = probe0();
        LOG.fine(() -> "probe took " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + (r == null ? "ok" : r.getSQLState()));
        return r;
    }

    private SQLException probe0() {
        SQLException failure = probeAt(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
        DatabaseUrl direct = this.direct;
        if (failure != null && timedOut(failure) && direct != null) {
            // Behind PgBouncer a probe that logged in and then got no answer is queued with every other
            // client while the server connections are all taken: a busy database, or a gone one that
            // PgBouncer keeps trying. PostgreSQL itself (the direct URL) tells them apart; answering 503
            // to everyone because of a queue would turn a burst into an outage.
            return probeAt(direct.jdbcUrl(), direct.user(), direct.passwordIfAny().orElse(null));
        }
        return failure;
    }

    /** A connection of its own to {@code jdbcUrl} and a {@code SELECT 1}: null when both worked, else why not. */
    private SQLException probeAt(String jdbcUrl, String user, String password) {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", Integer.toString(PROBE_TIMEOUT_SECONDS));
        props.setProperty("socketTimeout", Integer.toString(PROBE_TIMEOUT_SECONDS));
        props.setProperty("loginTimeout", Integer.toString(PROBE_TIMEOUT_SECONDS));
        props.setProperty("ApplicationName", pool.getPoolName() + "-probe");
        // no SET statements after the login: behind PgBouncer they would wait for a server connection
        props.setProperty("assumeMinServerVersion", PoolFactory.ASSUME_MIN_SERVER_VERSION);
        try (Connection c = DriverManager.getConnection(jdbcUrl, props); Statement statement = c.createStatement()) {
            statement.execute("SELECT 1");
            return null;
        } catch (SQLException e) {
            // a full server (53300) still answers: the pool is busy, the database is not gone
            return "53300".equals(e.getSQLState()) ? null : e;
        }
    }

    /** Whether {@code e} is a wait that ran out (pgjdbc's socket or login timeout), not a refused or broken connection. */
    static boolean timedOut(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException
                    || (t instanceof SQLException sql && "08001".equals(sql.getSQLState())
                        && String.valueOf(sql.getMessage()).contains("timed out"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * Behind PgBouncer: {@code direct} reaches PostgreSQL itself (the agent's {@code MIGRATION_DATABASE_URL}),
     * asked when a probe through PgBouncer only waited. Without it a probe that waits counts as down.
     */
    public DatabaseGuard probeDirectly(DatabaseUrl direct) {
        this.direct = direct;
        return this;
    }

    private synchronized void markDown(SQLException why) {
        if (down) {
            return;
        }
        downSince = System.nanoTime();
        down = true;
        LOG.warning(() -> "database unreachable (" + why.getClass().getSimpleName() + ", SQLState " + why.getSQLState()
                + "): answering 503 at once until it is back");
        // stop Hikari's creator from looping in its back-off while nobody can be served anyway
        pool.getHikariConfigMXBean().setMinimumIdle(0);
        if (pool.getHikariPoolMXBean() != null) {
            pool.getHikariPoolMXBean().softEvictConnections();
        }
        waiters.forEach(Waiter::abort);
    }

    private synchronized void markUp() {
        if (!down) {
            return;
        }
        if (pool.getHikariPoolMXBean() != null) {
            pool.getHikariPoolMXBean().softEvictConnections();
        }
        pool.getHikariConfigMXBean().setMinimumIdle(minimumIdle);
        down = false;
        long millis = (System.nanoTime() - downSince) / 1_000_000;
        LOG.info(() -> "database reachable again after " + millis + " ms");
    }

    private static SQLTransientConnectionException unavailable(Throwable cause) {
        return new SQLTransientConnectionException("the database is unreachable", "08001", cause);
    }

    private Connection borrow() throws SQLException {
        if (down) {
            throw unavailable(null);
        }
        Waiter waiter = new Waiter(Thread.currentThread());
        waiters.add(waiter);
        ScheduledFuture<?> timer = TIMER.schedule(this::suspect, SUSPECT_AFTER.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            if (down) {
                throw unavailable(e);
            }
            if (isConnectionFailure(e)) {
                suspect();
            }
            throw e;
        } finally {
            timer.cancel(false);
            waiters.remove(waiter);
            waiter.finish();
        }
    }

    /** A thread waiting on the pool; aborted (interrupted) once when the database goes down. */
    private static final class Waiter {
        private final Thread thread;
        private boolean done;
        private boolean aborted;

        Waiter(Thread thread) {
            this.thread = thread;
        }

        synchronized void abort() {
            if (!done && !aborted) {
                aborted = true;
                thread.interrupt();
            }
        }

        // the interrupt was ours: clear it so it cannot break the caller's next blocking call
        synchronized void finish() {
            done = true;
            if (aborted) {
                Thread.interrupted();
            }
        }
    }

    private final class Guarded implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            return borrow();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException("the pool's credentials only");
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return pool.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            pool.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            pool.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return pool.getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return pool.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            return type.isInstance(pool) ? type.cast(pool) : pool.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws SQLException {
            return type.isInstance(pool) || pool.isWrapperFor(type);
        }
    }
}
