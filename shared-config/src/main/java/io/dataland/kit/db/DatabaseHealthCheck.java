package io.dataland.kit.db;

import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * Readiness: a {@code SELECT 1} through the service's pool, answered within {@code timeout} even while
 * the database is down (a probe that is still waiting on the pool is shared, not multiplied).
 */
public final class DatabaseHealthCheck implements HealthCheck {

    private final DataSource dataSource;
    private final DatabaseGuard guard;
    private final Duration timeout;
    private final AtomicReference<CompletableFuture<Void>> inFlight = new AtomicReference<>();

    /**
     * A check against {@code pool} through its {@link DatabaseGuard} (the request path's view: down there
     * is down here, without waiting on the pool) that gives up after {@code timeout}.
     */
    public DatabaseHealthCheck(com.zaxxer.hikari.HikariDataSource pool, Duration timeout) {
        this.guard = DatabaseGuard.of(pool);
        this.dataSource = guard.dataSource();
        this.timeout = timeout;
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public String name() {
        return "database";
    }

    @Override
    public HealthCheckResponse call() {
        long start = System.nanoTime();
        if (!guard.recheck()) {
            return down("database unreachable");
        }
        try {
            probe().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return HealthCheckResponse.builder().status(HealthCheckResponse.Status.UP)
                    .detail("latency_ms", (System.nanoTime() - start) / 1_000_000).build();
        } catch (TimeoutException e) {
            return down("no answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down("interrupted");
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof java.sql.SQLException sql && DatabaseGuard.isConnectionFailure(sql)) {
                guard.suspect();
            }
            return down(cause.getClass().getSimpleName());
        }
    }

    private CompletableFuture<Void> probe() {
        while (true) {
            CompletableFuture<Void> current = inFlight.get();
            if (current != null && !current.isDone()) {
                return current;
            }
            CompletableFuture<Void> next = new CompletableFuture<>();
            if (inFlight.compareAndSet(current, next)) {
                Thread.ofVirtual().name("db-health").start(() -> {
                    try (Connection c = dataSource.getConnection(); var s = c.createStatement()) {
                        s.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
                        s.execute("SELECT 1");
                        next.complete(null);
                    } catch (Exception e) {
                        next.completeExceptionally(e);
                    }
                });
                return next;
            }
        }
    }

    private static HealthCheckResponse down(String why) {
        return HealthCheckResponse.builder().status(HealthCheckResponse.Status.DOWN).detail("error", why).build();
    }

}
