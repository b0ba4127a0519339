package io.dataland.kit.db;

import java.util.List;

import javax.sql.DataSource;

import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.plugin.Interceptor;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.ExecutorType;
import org.apache.ibatis.session.LocalCacheScope;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;
import org.apache.ibatis.type.JdbcType;

/** The one MyBatis configuration of both services; each passes its pool, its mappers and its plugins. */
public final class MyBatis {

    private MyBatis() {
    }

    /**
     * A session factory over {@code dataSource}: snake_case columns map to camelCase, records are built
     * through their canonical constructors by argument name, and nothing is cached across statements
     * (a row read twice in one unit of work is read twice, so a re-read after a write sees the write).
     * Each mapper's XML sits beside it on the class path; {@code plugins} wrap every executor, in order.
     */
    public static SqlSessionFactory sessionFactory(String environment, DataSource dataSource,
                                                   List<Class<?>> mappers, List<? extends Interceptor> plugins) {
        // a Hikari pool is borrowed from through its guard: 503 at once while the database is unreachable
        DataSource borrowed = dataSource instanceof com.zaxxer.hikari.HikariDataSource pool
                ? DatabaseGuard.of(pool).dataSource() : dataSource;
        Configuration configuration = new Configuration(new Environment(environment, new JdbcTransactionFactory(), borrowed));
        configuration.setMapUnderscoreToCamelCase(true);
        configuration.setArgNameBasedConstructorAutoMapping(true);
        configuration.setCacheEnabled(false);
        configuration.setLocalCacheScope(LocalCacheScope.STATEMENT);
        // REUSE: MyBatis keeps the session's PreparedStatements keyed by SQL text and closes them when the
        // session ends, so a unit of work that runs the same SQL again (the re-read after a lost insert race,
        // one statement in a loop) reuses the JDBC statement instead of preparing another. A session lives
        // for one unit of work, so this cache holds a handful of statements at most. Server-side plans are
        // pgjdbc's own per-connection cache (prepareThreshold) and do not depend on this setting.
        configuration.setDefaultExecutorType(ExecutorType.REUSE);
        // a null parameter is sent as SQL NULL, which PostgreSQL accepts for any column type
        configuration.setJdbcTypeForNull(JdbcType.NULL);
        mappers.forEach(configuration::addMapper);
        plugins.forEach(configuration::addInterceptor);
        return new SqlSessionFactoryBuilder().build(configuration);
    }
}
