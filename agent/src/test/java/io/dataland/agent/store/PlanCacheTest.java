package io.dataland.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.agent.AgentServer;
import io.dataland.agent.conversation.ConversationRepository;
import io.dataland.agent.schema.Migrations;
import io.dataland.kit.config.DatabaseUrl;
import io.dataland.kit.db.MyBatis;
import io.dataland.kit.db.PoolFactory;
import io.dataland.kit.db.PoolSettings;
import io.dataland.kit.db.Pooler;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The plan cache on skewed data: beside 20 museum tickets of 5,000 messages each, 200 conversations of 20.
 * Under PostgreSQL's default ({@code plan_cache_mode = auto}) the generic plan of a reload assumes an
 * average conversation of some 500 messages, looks dearer than the custom plans of a 20-message one, and
 * PostgreSQL plans the reload's statements afresh on every execution. The services' pool
 * ({@link PoolFactory}) makes each connection plan them once; under transaction pooling it leaves the
 * session alone. Counted by PostgreSQL itself ({@code pg_prepared_statements}) on the pool's one connection.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class PlanCacheTest {

    private static final int RELOADS = 12;

    private static TestDatabase database;

    @BeforeAll
    static void setUp(TestDatabase db) throws SQLException {
        database = db;
        try (HikariDataSource dataSource = db.newDataSource(1)) {
            new Migrations(dataSource).migrate();
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                c.setAutoCommit(true);
                s.execute("INSERT INTO users (id, created_at) SELECT 'u' || g, now() FROM generate_series(1, 200) g");
                s.execute("""
                        INSERT INTO conversations (id, user_id, title, mode, created_at, updated_at)
                        SELECT 'c' || g, 'u' || g, 't', 'general', now(), now() FROM generate_series(1, 200) g
                        UNION ALL
                        SELECT 'ticket-' || g, 'u' || g, 'Hall', 'museum', now(), now() FROM generate_series(1, 20) g""");
                s.execute("""
                        INSERT INTO messages (id, conversation_id, seq, role, text, created_at)
                        SELECT md5('c' || g)::uuid::text, 'c' || ((g - 1) / 20 + 1), (g - 1) % 20 + 1,
                               CASE WHEN g % 2 = 0 THEN 'assistant' ELSE 'user' END, 'text', now()
                          FROM generate_series(1, 4000) g
                        UNION ALL
                        SELECT md5('t' || g)::uuid::text, 'ticket-' || ((g - 1) / 5000 + 1), (g - 1) % 5000 + 1,
                               CASE WHEN g % 2 = 0 THEN 'assistant' ELSE 'user' END, 'text', now()
                          FROM generate_series(1, 100000) g""");
                s.execute("""
                        INSERT INTO message_images (message_id, title, image_path, score)
                        SELECT id, 't', '/img.jpg', 0.5 FROM messages WHERE role = 'assistant'""");
                s.execute("""
                        INSERT INTO message_suggestions (message_id, text, sequence)
                        SELECT id, 's', 0 FROM messages WHERE role = 'assistant'""");
                s.execute("ANALYZE users, conversations, messages, message_images, message_sources, message_suggestions");
            }
        }
    }

    @Test
    void theServicesPoolPlansTheReloadOnce() throws SQLException {
        try (HikariDataSource pool = pool(Pooler.DIRECT)) {
            assertEquals("force_generic_plan", show(pool));
            long[] plans = reloadAndCountPlans(pool);
            assertEquals(0, plans[0], "custom plans of the reload's statements");
            assertTrue(plans[1] >= 3, "generic plans: " + plans[1]);
        }
    }

    @Test
    void withoutItPostgresPlansTheReloadOnEveryExecution() throws SQLException {
        // the control: a pool with PostgreSQL's default, on the same data (this test fails if the data is not
        // skewed enough to show what the setting is for)
        try (HikariDataSource plain = database.newDataSource(1)) {
            assertEquals("auto", show(plain));
            long[] plans = reloadAndCountPlans(plain);
            assertTrue(plans[0] >= 3 * (RELOADS - 5), "custom plans under auto: " + plans[0] + ", generic " + plans[1]);
        }
    }

    @Test
    void transactionPoolingLeavesTheSessionAlone() throws SQLException {
        // a SET would stay on a PgBouncer server connection that another client gets next
        try (HikariDataSource pool = pool(new Pooler(Pooler.Mode.TRANSACTION, 100, 10))) {
            assertEquals("auto", show(pool));
        }
    }

    private static HikariDataSource pool(Pooler pooler) {
        return PoolFactory.create("plan-cache", DatabaseUrl.parse("DATABASE_URL", database.databaseUrl()),
                new PoolSettings(1, 0, Duration.ofSeconds(5), 1), pooler);
    }

    private static String show(HikariDataSource pool) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW plan_cache_mode")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Reloads a 20-message conversation through the agent's statements; {custom, generic} plans of them. */
    private static long[] reloadAndCountPlans(HikariDataSource pool) throws SQLException {
        UnitOfWork db = new UnitOfWork(MyBatis.sessionFactory("plan-cache", pool, AgentServer.MAPPERS, List.of()));
        for (int i = 0; i < RELOADS; i++) {
            int messages = db.inTransaction(s -> ConversationRepository.load(s, "c7", "u7")).orElseThrow().messages().size();
            assertEquals(20, messages);
        }
        // the pool's one connection: the reload's three statements, prepared on the server (pgjdbc names a
        // statement from its fifth execution)
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT count(*), coalesce(sum(custom_plans), 0), coalesce(sum(generic_plans), 0)
                  FROM pg_prepared_statements WHERE NOT from_sql AND statement LIKE '%conversation%'""")) {
            rs.next();
            assertEquals(3, rs.getLong(1), "the reload's statements, prepared on the server");
            return new long[] {rs.getLong(2), rs.getLong(3)};
        }
    }
}
