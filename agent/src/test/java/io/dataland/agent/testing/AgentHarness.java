package io.dataland.agent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.dataland.agent.AgentServer;
import io.dataland.kit.config.Settings;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.AgentStore;
import io.dataland.testkit.api.ApiClient;

/**
 * A real agent on a free port over a test database, trusting {@link #mint} through a {@code JWKS_FILE},
 * with a plain JDK HTTP client ({@link ApiClient}) and a look at its tables ({@link AgentStore}): what the
 * contract tests drive.
 */
public final class AgentHarness extends ApiClient implements AutoCloseable {

    private final AgentServer server;
    private final TokenMint mint;
    private final AgentStore store;

    private AgentHarness(AgentServer server, TokenMint mint, TestDatabase db) {
        super("http://127.0.0.1:" + server.port());
        this.server = server;
        this.mint = mint;
        this.store = new AgentStore(db::superuser);
    }

    /**
     * Chat abuse limits out of the way: most tests send many turns for one user, at once, which the
     * production limits (a burst of 20, 2 turns of one user at a time) would refuse. The limits have their
     * own tests (TurnLimitsTest), which set them through {@code extraEnv}.
     */
    public static final Map<String, String> UNLIMITED_TURNS = Map.of("CHAT_TURN_BURST", "100000",
            "CHAT_TURNS_PER_HOUR", "10000000", "CHAT_MAX_TURNS_PER_USER", "10000", "CHAT_MAX_MODEL_CALLS", "100000");

    /** Starts an agent on {@code db} with {@code extraEnv} on top of the test defaults. */
    public static AgentHarness start(TestDatabase db, Map<String, String> extraEnv) {
        return start(db, extraEnv, null);
    }

    /** As {@link #start(TestDatabase, Map)}, with query traces going to {@code tracing} (null: as configured). */
    public static AgentHarness start(TestDatabase db, Map<String, String> extraEnv, io.dataland.kit.telemetry.Tracing tracing) {
        try {
            TokenMint mint = TokenMint.create("test-key-1");
            Path jwks = Files.createTempFile("agent-jwks", ".json");
            Files.writeString(jwks, TokenMint.jwks(mint));
            jwks.toFile().deleteOnExit();
            Map<String, String> env = new HashMap<>();
            env.put("DATABASE_URL", db.databaseUrl());
            env.put("AGENT_PORT", "0");
            env.put("AUTH_JWKS_URL", "http://127.0.0.1:1/jwks.json");
            env.put("JWKS_FILE", jwks.toString());
            env.put("DB_POOL_SIZE", "4");
            env.put("DB_MAX_OVERFLOW", "8");
            env.putAll(UNLIMITED_TURNS);
            env.putAll(extraEnv);
            Settings settings = Settings.load(env, "application.yaml");
            return new AgentHarness(tracing == null ? AgentServer.start(settings) : AgentServer.start(settings, tracing), mint, db);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key the agent trusts. */
    public TokenMint mint() {
        return mint;
    }

    /** The running server. */
    public AgentServer server() {
        return server;
    }

    /** A valid token for {@code sub}. */
    public String token(String sub) {
        return mint.token(sub);
    }

    /** The agent's tables. */
    public AgentStore store() {
        return store;
    }

    /** The single number {@code sql} selects (superuser connection). */
    public long count(String sql) {
        return store.count(sql);
    }

    /** The single text {@code sql} selects (superuser connection). */
    public String text(String sql) {
        return store.text(sql);
    }

    /** A digest of every agent table's rows (nothing-changed checks). */
    public String snapshot() {
        return store.snapshot();
    }

    @Override
    public void close() {
        server.close();
    }
}
