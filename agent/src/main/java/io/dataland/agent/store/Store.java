package io.dataland.agent.store;

import java.util.List;
import java.util.function.Function;

import javax.sql.DataSource;

import io.dataland.agent.conversation.ConversationMapper;
import io.dataland.agent.message.MessageMapper;
import io.dataland.agent.run.RunMapper;
import io.dataland.agent.ticket.TicketMapper;
import io.dataland.agent.user.UserMapper;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.plugin.Interceptor;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.ExecutorType;
import org.apache.ibatis.session.LocalCacheScope;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;

/**
 * The agent's MyBatis store: the one {@link SqlSessionFactory} of the process, built over the service's
 * pool, and the unit-of-work helpers every repository uses.
 *
 * <p>The MyBatis {@link Configuration} is built in one place ({@link #configuration}); plugins
 * ({@link Interceptor}s, e.g. a per-statement timer or a statement counter in tests) are registered
 * there through {@link #create(DataSource, List)}.
 *
 * <p>A unit of work is one {@link SqlSession} opened in try-with-resources, mappers fetched inside it,
 * committed explicitly: {@link #inTransaction} for writes (rolled back on any exception, so a failure in
 * the middle leaves nothing half-written), {@link #read} for reads.
 */
public final class Store {

    /** The environment id of the configuration (MyBatis needs one). */
    static final String ENVIRONMENT = "agent";

    private final SqlSessionFactory sessions;

    private Store(SqlSessionFactory sessions) {
        this.sessions = sessions;
    }

    /** A store over {@code dataSource} with no plugins. */
    public static Store create(DataSource dataSource) {
        return create(dataSource, List.of());
    }

    /** A store over {@code dataSource} with {@code plugins} registered, in order. */
    public static Store create(DataSource dataSource, List<? extends Interceptor> plugins) {
        return new Store(new SqlSessionFactoryBuilder().build(configuration(dataSource, plugins)));
    }

    /**
     * The configuration: the pool as a JDBC-transaction environment, snake_case columns to camelCase,
     * records built through their canonical constructors by argument name, no cross-session cache,
     * every mapper of the agent (its XML beside it on the class path), then {@code plugins}.
     */
    static Configuration configuration(DataSource dataSource, List<? extends Interceptor> plugins) {
        Configuration configuration = new Configuration(new Environment(ENVIRONMENT, new JdbcTransactionFactory(), dataSource));
        configuration.setMapUnderscoreToCamelCase(true);
        configuration.setArgNameBasedConstructorAutoMapping(true);
        configuration.setCacheEnabled(false);
        configuration.setLocalCacheScope(LocalCacheScope.STATEMENT);
        configuration.setDefaultExecutorType(ExecutorType.REUSE);
        configuration.setJdbcTypeForNull(org.apache.ibatis.type.JdbcType.NULL);
        configuration.addMapper(UserMapper.class);
        configuration.addMapper(TicketMapper.class);
        configuration.addMapper(ConversationMapper.class);
        configuration.addMapper(MessageMapper.class);
        configuration.addMapper(RunMapper.class);
        plugins.forEach(configuration::addInterceptor);
        return configuration;
    }

    /** The process's session factory (for code that needs a session of its own). */
    public SqlSessionFactory sessionFactory() {
        return sessions;
    }

    /**
     * Runs {@code work} in one transaction (the server's default isolation, READ COMMITTED) and commits; any exception rolls it back and
     * is rethrown (wrapped by MyBatis as a {@link org.apache.ibatis.exceptions.PersistenceException}
     * when it came from the database).
     */
    public <T> T inTransaction(Function<SqlSession, T> work) {
        try (SqlSession session = sessions.openSession()) {
            T result = work.apply(session);
            session.commit(true);
            return result;
        }
    }

    /**
     * Runs read-only {@code work} in one session. Reads share {@link #inTransaction}'s unit of work (one
     * transaction, so a multi-statement read such as a conversation reload is one round of
     * BEGIN ... COMMIT); the name says what the caller intends.
     */
    public <T> T read(Function<SqlSession, T> work) {
        return inTransaction(work);
    }
}
