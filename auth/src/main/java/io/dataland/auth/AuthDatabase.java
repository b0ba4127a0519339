package io.dataland.auth;

import java.sql.SQLException;
import java.util.List;

import javax.sql.DataSource;

import io.dataland.auth.account.AccountMapper;
import io.dataland.auth.schema.AuthSchema;
import io.dataland.auth.throttle.ThrottleMapper;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import io.dataland.kit.db.MyBatis;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.telemetry.StatementInterceptor;
import io.dataland.kit.telemetry.Tracing;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.service.registry.Services;

/**
 * The auth server's two ways into PostgreSQL over one Hikari pool: helidon-dbclient for the bootstrap
 * DDL, MyBatis for every data statement afterwards.
 */
final class AuthDatabase {

    private AuthDatabase() {
    }

    /** Runs the bootstrap DDL through a dbclient handed {@code dataSource}. */
    static AuthSchema.Result bootstrap(DataSource dataSource) {
        DbClient db = JdbcClientBuilder.create()
                .connectionPool(() -> {
                    try {
                        return dataSource.getConnection();
                    } catch (SQLException e) {
                        throw new IllegalStateException("no database connection for the auth bootstrap", e);
                    }
                })
                .build();
        return AuthSchema.apply(db);
    }

    /** The process's units of work: the shared MyBatis configuration with every auth mapper, statements timed and traced. */
    static UnitOfWork unitOfWork(DataSource dataSource, Tracing tracing) {
        return new UnitOfWork(MyBatis.sessionFactory("auth", dataSource, List.of(AccountMapper.class, ThrottleMapper.class),
                List.of(StatementInterceptor.create(Services.get(MeterRegistry.class), tracing))));
    }
}
