package io.dataland.kit.telemetry;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import org.apache.ibatis.executor.Executor;
import org.apache.ibatis.mapping.MappedStatement;
import org.apache.ibatis.plugin.Interceptor;
import org.apache.ibatis.plugin.Invocation;

/**
 * The one MyBatis plugin of both services: every mapped statement is timed into {@link #TIMER} (tagged
 * {@code statement} = its id, e.g. {@code io.dataland.agent.message.MessageMapper.insertNext}) and, when
 * tracing is on, runs inside a client span, child of whatever span is current (the HTTP request's). The
 * span records the statement id, the kind of command and the rows returned or affected; the SQL's
 * parameter values are never read.
 *
 * <p>It wraps each session's {@link Executor} (its {@code update}, {@code query} and {@code queryCursor}
 * methods) in a plain JDK proxy: MyBatis's {@code Plugin.wrap} would reflect over {@code @Intercepts}
 * signatures for every executor, statement, parameter and result-set handler it creates, which showed in
 * the profile.
 */
public final class StatementInterceptor implements Interceptor {

    /** Statement latency, tagged {@code statement} (the mapped statement id). */
    public static final String TIMER = "dataland_db_statement";

    static final AttributeKey<String> STATEMENT = AttributeKey.stringKey("db.statement.id");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("db.operation.name");
    static final AttributeKey<Long> ROWS = AttributeKey.longKey("db.response.rows");

    private final MeterRegistry registry;
    private final Tracer tracer;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    private StatementInterceptor(MeterRegistry registry, Tracer tracer) {
        this.registry = registry;
        this.tracer = tracer;
    }

    /** Timers into {@code registry}, and spans when {@code tracing} is on. */
    public static StatementInterceptor create(MeterRegistry registry, Tracing tracing) {
        return new StatementInterceptor(registry, tracing.tracer());
    }

    @Override
    public Object intercept(Invocation invocation) throws Throwable {
        MappedStatement statement = (MappedStatement) invocation.getArgs()[0];
        Span span = tracer == null ? null : startSpan(statement);
        long start = System.nanoTime();
        try {
            Object result = invocation.proceed();
            if (span != null) {
                if (result instanceof Integer count) {
                    span.setAttribute(ROWS, count.longValue());
                } else if (result instanceof Collection<?> rows) {
                    span.setAttribute(ROWS, (long) rows.size());
                }
            }
            return result;
        } catch (Throwable e) {
            if (span != null) {
                span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            }
            throw e;
        } finally {
            timers.computeIfAbsent(statement.getId(),
                    id -> registry.getOrCreate(Timer.builder(TIMER).tags(List.of(Tag.create("statement", id)))))
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            if (span != null) {
                span.end();
            }
        }
    }

    private Span startSpan(MappedStatement statement) {
        String id = statement.getId();
        // the span's name is Mapper.statement, short enough for a trace view
        String shortId = id.substring(id.lastIndexOf('.', id.lastIndexOf('.') - 1) + 1);
        return tracer.spanBuilder(shortId).setSpanKind(SpanKind.CLIENT)
                .setAttribute("db.system.name", "postgresql")
                .setAttribute(STATEMENT, id)
                .setAttribute(OPERATION, statement.getSqlCommandType().name())
                .startSpan();
    }

    @Override
    public Object plugin(Object target) {
        if (!(target instanceof Executor executor)) {
            return target;
        }
        InvocationHandler handler = (proxy, method, args) -> intercepted(method) && args != null && args.length > 0
                && args[0] instanceof MappedStatement
                ? intercept(new Invocation(executor, method, args))
                : invoke(executor, method, args);
        return Proxy.newProxyInstance(Executor.class.getClassLoader(), new Class<?>[] {Executor.class}, handler);
    }

    private static boolean intercepted(Method method) {
        String name = method.getName();
        return name.equals("update") || name.equals("query") || name.equals("queryCursor");
    }

    private static Object invoke(Executor executor, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(executor, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public void setProperties(Properties properties) {
        // no properties
    }
}
