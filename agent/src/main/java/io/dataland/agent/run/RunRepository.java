package io.dataland.agent.run;

import java.util.Optional;

import io.dataland.agent.store.Store;

/**
 * Reads runs for their owner. Runs are opened and closed as part of a turn
 * ({@link io.dataland.agent.turn.TurnRepository}); {@link #close} is here for a run closed on its own.
 */
public final class RunRepository {

    private final Store store;

    /** A repository over {@code store}. */
    public RunRepository(Store store) {
        this.store = store;
    }

    /** {@code userId}'s run {@code runId}; empty when unknown or another user's. */
    public Optional<Run> find(String runId, String userId) {
        return Optional.ofNullable(store.read(s -> s.getMapper(RunMapper.class).findOwned(runId, userId)));
    }

    /** Closes {@code userId}'s run with {@code outcome}; empty when unknown or another user's. */
    public Optional<Run> close(String runId, String userId, RunOutcome outcome) {
        return Optional.ofNullable(store.inTransaction(s -> s.getMapper(RunMapper.class).close(runId, userId, outcome, outcome.status().value())));
    }
}
