package io.dataland.agent.metrics;

import io.dataland.kit.http.ApiException;
import io.helidon.http.HttpException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Times every request into {@link AgentMetrics#REQUESTS} by method, matched route pattern and status
 * (for a request that ends in an exception, the status its mapping answers; other failures count as 500).
 */
public final class RequestMetrics implements Filter {

    private final AgentMetrics metrics;

    /** A filter recording into {@code metrics}. */
    public RequestMetrics(AgentMetrics metrics) {
        this.metrics = metrics;
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
            metrics.request(req.prologue().method().text(), route, status, System.nanoTime() - start);
        }
    }
}
