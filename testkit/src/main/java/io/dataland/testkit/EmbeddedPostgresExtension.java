package io.dataland.testkit;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded PostgreSQL 16 per test JVM, started on first use on a free port and stopped when the
 * JVM's tests are done; a fresh database per test class, handed to test and lifecycle methods as a
 * {@link TestDatabase} parameter.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedPostgresExtension.class)
 * class ConversationRepositoryTest {
 *     @BeforeAll static void setUp(TestDatabase db) { ... db.databaseUrl() ... }
 * }
 * }</pre>
 */
public final class EmbeddedPostgresExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(EmbeddedPostgresExtension.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** The JVM's server (started on first call). */
    public static EmbeddedPg server(ExtensionContext context) {
        ExtensionContext root = context.getRoot();
        return root.getStore(NS).getOrComputeIfAbsent("server", k -> new CloseableServer(
                EmbeddedPg.start(null, 0, Map.of("max_connections", "300"), "test-secret-" + ProcessHandle.current().pid())),
                CloseableServer.class).pg();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        database(context);
    }

    private static TestDatabase database(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        ExtensionContext owner = classContext;
        return owner.getStore(NS).getOrComputeIfAbsent("database", k -> {
            EmbeddedPg pg = server(owner);
            String simple = owner.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9]", "");
            String name = "t" + COUNTER.incrementAndGet() + "_" + simple.substring(0, Math.min(40, simple.length()));
            pg.createDatabase(name);
            return new TestDatabase(pg, name);
        }, TestDatabase.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestDatabase.class || type == EmbeddedPg.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedPg.class ? server(context) : database(context);
    }

    private record CloseableServer(EmbeddedPg pg) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            pg.close();
        }
    }
}
