package io.dataland.agent.store;

import java.util.List;
import java.util.function.Function;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.agent.AgentServer;
import io.dataland.agent.schema.Migrations;
import io.dataland.kit.db.MyBatis;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.testkit.TestDatabase;
import org.apache.ibatis.session.SqlSession;

/** A migrated test database with a pool and the agent's unit of work, its statements counted. */
public record DbFixture(HikariDataSource dataSource, UnitOfWork db, StatementCounter counter) implements AutoCloseable {

    /** Migrates {@code database} to head and builds the unit of work over a pool of {@code poolSize}. */
    public static DbFixture open(TestDatabase database, int poolSize) {
        HikariDataSource dataSource = database.newDataSource(poolSize);
        new Migrations(dataSource).migrate();
        StatementCounter counter = new StatementCounter();
        return new DbFixture(dataSource, new UnitOfWork(MyBatis.sessionFactory("agent-test", dataSource,
                AgentServer.MAPPERS, List.of(counter))), counter);
    }

    /** {@code work} in one unit of work, as a service runs it. */
    public <T> T tx(Function<SqlSession, T> work) {
        return db.inTransaction(work);
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
