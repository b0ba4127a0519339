package io.dataland.agent.run;

import java.util.Optional;

import org.apache.ibatis.session.SqlSession;

/** Reads runs for their owner. Runs are opened and closed as part of a turn ({@link io.dataland.agent.chat.TurnRepository}). */
public final class RunRepository {

    private RunRepository() {
    }

    /** {@code userId}'s run {@code runId}; empty when unknown or another user's. */
    public static Optional<Run> find(SqlSession session, String runId, String userId) {
        return Optional.ofNullable(session.getMapper(RunMapper.class).findOwned(runId, userId));
    }
}
