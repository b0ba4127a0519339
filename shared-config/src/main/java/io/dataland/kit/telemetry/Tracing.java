package io.dataland.kit.telemetry;

import java.time.Duration;
import java.util.logging.Logger;

import io.dataland.kit.config.Settings;
import io.helidon.webserver.http.HttpRouting;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * Query traces, as the seed's "query traces appear in the agent's telemetry": an OpenTelemetry span for
 * every HTTP request ({@link #register}) and a child span for every SQL statement run under it
 * ({@link StatementInterceptor}, a MyBatis plugin). Statement spans carry the statement id, duration
 * and row count, never parameter values.
 *
 * <p>On when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set (OTLP over HTTP, e.g.
 * {@code http://otel-collector:4318}); off otherwise, and then nothing is installed at all.
 */
public final class Tracing implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Tracing.class.getName());
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    private Tracing(SdkTracerProvider provider) {
        this.provider = provider;
        this.tracer = provider == null ? null : provider.get("io.dataland");
    }

    /** Tracing as configured: OTLP when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set, else off. */
    public static Tracing fromSettings(Settings settings, String serviceName) {
        return settings.find("OTEL_EXPORTER_OTLP_ENDPOINT").map(endpoint -> {
            String traces = endpoint.endsWith("/v1/traces") ? endpoint
                    : endpoint.replaceAll("/+$", "") + "/v1/traces";
            SpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(traces)
                    .setTimeout(Duration.ofSeconds(5)).build();
            LOG.info(() -> "tracing on: OTLP to " + traces);
            return new Tracing(SdkTracerProvider.builder()
                    .setResource(resource(settings.get("OTEL_SERVICE_NAME", serviceName)))
                    .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                    .build());
        }).orElseGet(Tracing::off);
    }

    /** Tracing into {@code exporter}, every span exported as it ends (tests). */
    public static Tracing exportingTo(SpanExporter exporter, String serviceName) {
        return new Tracing(SdkTracerProvider.builder().setResource(resource(serviceName))
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build());
    }

    /** No tracing. */
    public static Tracing off() {
        return new Tracing(null);
    }

    /** Whether spans are recorded. */
    public boolean enabled() {
        return provider != null;
    }

    /** Adds the request span filter to {@code routing} (nothing when off). */
    public void register(HttpRouting.Builder routing) {
        if (!enabled()) {
            return;
        }
        routing.addFilter((chain, req, res) -> {
            String method = req.prologue().method().text();
            Span span = tracer.spanBuilder(method).setSpanKind(SpanKind.SERVER)
                    .setAttribute(METHOD, method).startSpan();
            try (Scope ignored = span.makeCurrent()) {
                chain.proceed();
            } catch (RuntimeException e) {
                span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
                throw e;
            } finally {
                String route = req.matchingPattern().orElse(null);
                if (route != null) {
                    span.updateName(method + " " + route);
                    span.setAttribute(ROUTE, route);
                }
                int status = res.status().code();
                span.setAttribute(STATUS, (long) status);
                if (status >= 500) {
                    span.setStatus(StatusCode.ERROR);
                }
                span.end();
            }
        });
    }

    /** The tracer, null when off ({@link StatementInterceptor} then only times). */
    Tracer tracer() {
        return tracer;
    }

    /** Flushes and stops the exporter. */
    @Override
    public void close() {
        if (provider != null) {
            provider.close();
        }
    }

    private static Resource resource(String serviceName) {
        return Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), serviceName)));
    }
}
