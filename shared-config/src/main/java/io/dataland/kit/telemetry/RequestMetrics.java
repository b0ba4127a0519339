package io.dataland.kit.telemetry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.dataland.kit.http.ApiException;
import io.helidon.http.HttpException;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.helidon.service.registry.Services;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Times every request into {@link #REQUESTS} by method, matched route pattern and status (for a request
 * that ends in an exception, the status its mapping answers; other failures count as 500). Registered by
 * {@link io.dataland.kit.ServiceBoot#start} for both services.
 */
public final class RequestMetrics implements Filter {

    /** Request latency, tagged {@code method}, {@code route} (the matched pattern) and {@code status}. */
    public static final String REQUESTS = "dataland_http_requests";

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    private RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A filter recording into Helidon's registry (the one {@code /observe/metrics} serves). */
    public static RequestMetrics create() {
        return new RequestMetrics(Services.get(MeterRegistry.class));
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        int status = 0;
        try {
            chain.proceed();
            status = res.status().code();
        } catch (ApiException e) {
            status = e.status().code();
            throw e;
        } catch (HttpException e) {
            status = e.status().code();
            throw e;
        } catch (RuntimeException | Error e) {
            // the error mapping decides (database unavailable: 503, else 500); 5xx either way
            status = 500;
            throw e;
        } finally {
            String route = req.matchingPattern().orElse("unmatched");
            record(methodTag(req.prologue().method().text()), route, status, System.nanoTime() - start);
        }
    }

    /**
     * The method as a tag from a fixed set: HTTP lets a client send any token as a method, and each new
     * one would add timers to the registry for as long as the process lives.
     */
    static String methodTag(String method) {
        return switch (method) {
            case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" -> method;
            default -> "other";
        };
    }

    private void record(String method, String route, int status, long nanos) {
        String code = Integer.toString(status);
        timers.computeIfAbsent(method + "|" + route + "|" + code, k -> registry.getOrCreate(Timer.builder(REQUESTS)
                        .tags(List.of(Tag.create("method", method), Tag.create("route", route),
                                Tag.create("status", code)))))
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
