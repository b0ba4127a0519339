package io.dataland.kit.telemetry;

import java.util.Collection;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import org.apache.ibatis.cache.CacheKey;
import org.apache.ibatis.executor.Executor;
import org.apache.ibatis.mapping.BoundSql;
import org.apache.ibatis.mapping.MappedStatement;
import org.apache.ibatis.plugin.Interceptor;
import org.apache.ibatis.plugin.Intercepts;
import org.apache.ibatis.plugin.Invocation;
import org.apache.ibatis.plugin.Signature;
import org.apache.ibatis.session.ResultHandler;
import org.apache.ibatis.session.RowBounds;

/**
 * A client span per MyBatis statement, child of whatever span is current (the HTTP request's). It records
 * the statement id ({@code ConversationMapper.insertMessage}), the kind of command and the rows returned
 * or affected; the SQL's parameter values are never read.
 */
@Intercepts({
    @Signature(type = Executor.class, method = "update", args = {MappedStatement.class, Object.class}),
    @Signature(type = Executor.class, method = "query",
            args = {MappedStatement.class, Object.class, RowBounds.class, ResultHandler.class}),
    @Signature(type = Executor.class, method = "query",
            args = {MappedStatement.class, Object.class, RowBounds.class, ResultHandler.class, CacheKey.class, BoundSql.class}),
})
final class StatementSpans implements Interceptor {

    static final AttributeKey<String> STATEMENT = AttributeKey.stringKey("db.statement.id");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("db.operation.name");
    static final AttributeKey<Long> ROWS = AttributeKey.longKey("db.response.rows");

    private final Tracer tracer;

    StatementSpans(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public Object intercept(Invocation invocation) throws Throwable {
        MappedStatement statement = (MappedStatement) invocation.getArgs()[0];
        String id = statement.getId();
        String shortId = id.substring(id.lastIndexOf('.', id.lastIndexOf('.') - 1) + 1);
        Span span = tracer.spanBuilder(shortId).setSpanKind(SpanKind.CLIENT)
                .setAttribute("db.system.name", "postgresql")
                .setAttribute(STATEMENT, id)
                .setAttribute(OPERATION, statement.getSqlCommandType().name())
                .startSpan();
        try {
            Object result = invocation.proceed();
            if (result instanceof Integer count) {
                span.setAttribute(ROWS, count.longValue());
            } else if (result instanceof Collection<?> rows) {
                span.setAttribute(ROWS, (long) rows.size());
            }
            return result;
        } catch (Throwable e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
        }
    }
}
