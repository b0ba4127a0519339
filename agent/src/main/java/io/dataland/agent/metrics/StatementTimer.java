package io.dataland.agent.metrics;

import java.util.Properties;

import org.apache.ibatis.cache.CacheKey;
import org.apache.ibatis.executor.Executor;
import org.apache.ibatis.mapping.BoundSql;
import org.apache.ibatis.mapping.MappedStatement;
import org.apache.ibatis.plugin.Interceptor;
import org.apache.ibatis.plugin.Intercepts;
import org.apache.ibatis.plugin.Invocation;
import org.apache.ibatis.plugin.Plugin;
import org.apache.ibatis.plugin.Signature;
import org.apache.ibatis.session.ResultHandler;
import org.apache.ibatis.session.RowBounds;

/**
 * A MyBatis plugin timing every mapped statement (by its id, e.g.
 * {@code io.dataland.agent.message.MessageMapper.insertNext}) into {@link AgentMetrics#STATEMENTS}:
 * registered once where the store builds its configuration, so no statement needs a hand-placed timer.
 */
@Intercepts({
        @Signature(type = Executor.class, method = "update", args = {MappedStatement.class, Object.class}),
        @Signature(type = Executor.class, method = "query",
                args = {MappedStatement.class, Object.class, RowBounds.class, ResultHandler.class}),
        @Signature(type = Executor.class, method = "query",
                args = {MappedStatement.class, Object.class, RowBounds.class, ResultHandler.class, CacheKey.class,
                        BoundSql.class})
})
public final class StatementTimer implements Interceptor {

    private final AgentMetrics metrics;

    /** A plugin recording into {@code metrics}. */
    public StatementTimer(AgentMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public Object intercept(Invocation invocation) throws Throwable {
        MappedStatement statement = (MappedStatement) invocation.getArgs()[0];
        long start = System.nanoTime();
        try {
            return invocation.proceed();
        } finally {
            metrics.statement(statement.getId(), System.nanoTime() - start);
        }
    }

    /**
     * Wraps executors only (one per session). The default would also call {@link Plugin#wrap} (which
     * reflects over the signatures) for every statement, parameter and result-set handler MyBatis makes.
     */
    @Override
    public Object plugin(Object target) {
        return target instanceof Executor ? Plugin.wrap(target, this) : target;
    }

    @Override
    public void setProperties(Properties properties) {
        // no properties
    }
}
