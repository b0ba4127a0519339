package io.dataland.agent.metrics;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Properties;

import org.apache.ibatis.executor.Executor;
import org.apache.ibatis.mapping.MappedStatement;
import org.apache.ibatis.plugin.Interceptor;
import org.apache.ibatis.plugin.Invocation;

/**
 * A MyBatis plugin timing every mapped statement (by its id, e.g.
 * {@code io.dataland.agent.message.MessageMapper.insertNext}) into {@link AgentMetrics#STATEMENTS}:
 * registered once where the store builds its configuration, so no statement needs a hand-placed timer.
 *
 * <p>It wraps each session's {@link Executor} (its {@code update} and {@code query} methods) in a plain
 * JDK proxy: MyBatis's {@code Plugin.wrap} would reflect over {@code @Intercepts} signatures for every
 * executor, statement, parameter and result-set handler it creates, which showed in the profile.
 */
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

    @Override
    public Object plugin(Object target) {
        if (!(target instanceof Executor executor)) {
            return target;
        }
        InvocationHandler handler = (proxy, method, args) -> timed(method) && args != null && args.length > 0
                && args[0] instanceof MappedStatement
                ? intercept(new Invocation(executor, method, args))
                : invoke(executor, method, args);
        return Proxy.newProxyInstance(Executor.class.getClassLoader(), new Class<?>[] {Executor.class}, handler);
    }

    private static boolean timed(Method method) {
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
