package io.dataland.auth;

import java.sql.SQLException;

import javax.sql.DataSource;

import io.dataland.auth.account.AccountMapper;
import io.dataland.auth.schema.AuthSchema;
import io.dataland.auth.throttle.ThrottleMapper;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;

/**
 * The auth server's two ways into PostgreSQL over one Hikari pool: helidon-dbclient for the bootstrap
 * DDL, MyBatis for every data statement afterwards.
 */
final class AuthStore {

    private AuthStore() {
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

    /** The process's one MyBatis session factory. */
    static SqlSessionFactory sessions(DataSource dataSource) {
        Configuration configuration = new Configuration(new Environment("auth", new JdbcTransactionFactory(), dataSource));
        configuration.setMapUnderscoreToCamelCase(true);
        configuration.addMapper(AccountMapper.class);
        configuration.addMapper(ThrottleMapper.class);
        return new SqlSessionFactoryBuilder().build(configuration);
    }
}
