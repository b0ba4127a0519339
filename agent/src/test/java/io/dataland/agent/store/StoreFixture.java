package io.dataland.agent.store;

import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.agent.schema.Migrations;
import io.dataland.testkit.TestDatabase;

/** A migrated test database with a pool and a {@link Store} that counts its statements. */
public record StoreFixture(HikariDataSource dataSource, Store store, StatementCounter counter) implements AutoCloseable {

    /** Migrates {@code db} to head and builds the store over a pool of {@code poolSize}. */
    public static StoreFixture open(TestDatabase db, int poolSize) {
        HikariDataSource dataSource = db.newDataSource(poolSize);
        new Migrations(dataSource).migrate();
        StatementCounter counter = new StatementCounter();
        return new StoreFixture(dataSource, Store.create(dataSource, List.of(counter)), counter);
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
