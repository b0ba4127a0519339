package io.dataland.agent.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.helidon.service.registry.Services;

/**
 * The agent's Prometheus meters, created once per name and tag set and served at {@code /observe/metrics}:
 * runs by status (request latency is the kit's {@code RequestMetrics}), model latency and tokens, and the
 * Hikari pool gauges (the per-statement timer is {@link io.dataland.kit.telemetry.StatementInterceptor}'s).
 */
public final class AgentMetrics {

    /** Runs closed, tagged {@code status}. */
    public static final String RUNS = "dataland_runs";
    /** Model call latency, tagged {@code provider} and {@code outcome}. */
    public static final String MODEL_LATENCY = "dataland_model_latency";
    /** Model tokens, tagged {@code kind} ({@code prompt} or {@code completion}). */
    public static final String MODEL_TOKENS = "dataland_model_tokens";
    /** Hikari connections, tagged {@code state} ({@code active}, {@code idle}, {@code pending}). */
    public static final String POOL = "dataland_db_pool_connections";

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    private AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Meters in Helidon's registry (the one the metrics observer serves). */
    public static AgentMetrics create() {
        return new AgentMetrics(Services.get(MeterRegistry.class));
    }

    /** The registry. */
    public MeterRegistry registry() {
        return registry;
    }

    /** One run closed with {@code status}. */
    public void run(String status) {
        counter(RUNS, "status", status).increment();
    }

    /** One model call. */
    public void model(String provider, String outcome, Duration latency, Integer promptTokens, Integer completionTokens) {
        timer(MODEL_LATENCY, "provider", provider, "outcome", outcome).record(latency);
        if (promptTokens != null) {
            counter(MODEL_TOKENS, "kind", "prompt").increment(promptTokens);
        }
        if (completionTokens != null) {
            counter(MODEL_TOKENS, "kind", "completion").increment(completionTokens);
        }
    }

    /** Gauges for the pool's active, idle and pending (waiting) connections. */
    public void pool(HikariDataSource dataSource) {
        gauge("active", dataSource, HikariPoolMXBean::getActiveConnections);
        gauge("idle", dataSource, HikariPoolMXBean::getIdleConnections);
        gauge("pending", dataSource, HikariPoolMXBean::getThreadsAwaitingConnection);
    }

    private void gauge(String state, HikariDataSource dataSource, java.util.function.ToIntFunction<HikariPoolMXBean> read) {
        registry.getOrCreate(Gauge.builder(POOL, dataSource, ds -> {
            HikariPoolMXBean pool = ds.getHikariPoolMXBean();
            return pool == null ? 0 : read.applyAsInt(pool);
        }).tags(List.of(Tag.create("state", state))));
    }

    private Timer timer(String name, String... tags) {
        return timers.computeIfAbsent(key(name, tags),
                k -> registry.getOrCreate(Timer.builder(name).tags(tagList(tags))));
    }

    private Counter counter(String name, String... tags) {
        return counters.computeIfAbsent(key(name, tags),
                k -> registry.getOrCreate(Counter.builder(name).tags(tagList(tags))));
    }

    private static String key(String name, String... tags) {
        return name + "|" + String.join("|", tags);
    }

    private static List<Tag> tagList(String... tags) {
        Tag[] list = new Tag[tags.length / 2];
        for (int i = 0; i < list.length; i++) {
            list[i] = Tag.create(tags[2 * i], tags[2 * i + 1]);
        }
        return List.of(list);
    }
}
