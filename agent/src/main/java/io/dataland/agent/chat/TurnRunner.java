package io.dataland.agent.chat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.dataland.agent.metrics.AgentMetrics;
import io.dataland.agent.model.ModelException;
import io.dataland.agent.model.ModelProvider;
import io.dataland.agent.model.ModelReply;
import io.dataland.agent.model.ModelRequest;
import io.dataland.agent.run.RunOutcome;
import io.dataland.agent.run.RunStatus;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.http.Json;
import io.dataland.kit.http.ApiException;
import io.helidon.http.Status;

/**
 * The middle and end of a turn, once its user message and run are written: the model call (outside any
 * transaction) and the run's lifecycle. Every run ends closed: {@code success}; {@code error} with the
 * reason; {@code cancelled} with the text streamed so far when the client disconnects. How the answer is
 * sent is {@link JsonAnswer}'s or {@link SseAnswer}'s.
 */
final class TurnRunner {

    private static final Logger LOG = Logger.getLogger(TurnRunner.class.getName());

    private final UnitOfWork db;
    private final ModelProvider model;
    private final AgentMetrics metrics;

    TurnRunner(UnitOfWork db, ModelProvider model, AgentMetrics metrics) {
        this.db = db;
        this.model = model;
        this.metrics = metrics;
    }

    /** A begun turn: what was written and read, whose it is, and what the model is asked. */
    record Turn(TurnStart start, String userId, ModelRequest request) {

        String runId() {
            return start.run().id();
        }
    }

    /** How many earlier messages the model wants (read when the turn begins). */
    int historyTurns() {
        return model.historyTurns();
    }

    /** The turn begun as {@code start}, asking the model about {@code text} in {@code mode}. */
    Turn turn(TurnStart start, String userId, String mode, String text) {
        return new Turn(start, userId, new ModelRequest(mode, text, start.history()));
    }

    /**
     * Calls the model; a model failure closes the run as {@code error} and is a 502 {@link ApiException}
     * (the SSE answer turns it into an {@code error} event once its stream has started); a client that
     * left propagates as {@link SseTurn.ClientGone}, the run still open for the caller to cancel.
     */
    ModelReply callModel(Turn turn, ModelProvider.DeltaSink sink) {
        long begin = System.nanoTime();
        try {
            ModelReply reply = model.reply(turn.request(), sink);
            metrics.model(model.model(), "success", Duration.ofNanos(System.nanoTime() - begin),
                    reply.promptTokens(), reply.completionTokens());
            return reply;
        } catch (ModelException e) {
            metrics.model(model.model(), "error", Duration.ofNanos(System.nanoTime() - begin), null, null);
            finishQuietly(turn, null, null, RunStatus.ERROR, e.getMessage());
            throw new ApiException(Status.BAD_GATEWAY_502, "model_error", "the model failed: " + e.getMessage());
        } catch (SseTurn.ClientGone e) {
            metrics.model(model.model(), "cancelled", Duration.ofNanos(System.nanoTime() - begin), null, null);
            throw e;
        } catch (RuntimeException e) {
            finishQuietly(turn, null, null, RunStatus.ERROR, "internal error");
            throw e;
        }
    }

    /**
     * Writes the end of the turn in one unit of work: the assistant message {@code text} (none when null)
     * and the run closed as {@code status}. Empty when the conversation is gone or no longer the caller's.
     */
    Optional<TurnEnd> finish(Turn turn, String text, ModelReply reply, RunStatus status, String error) {
        TurnStart start = turn.start();
        RunOutcome outcome = reply == null
                ? new RunOutcome(model.model(), null, null, null, status, error)
                : new RunOutcome(reply.model(), reply.promptTokens(), reply.completionTokens(), reply.costUsd(), status, error);
        FinishTurn finish = new FinishTurn(start.conversationId(), turn.userId(), turn.runId(), text,
                reply == null ? List.of() : reply.images(), reply == null ? List.of() : reply.sources(),
                reply == null ? List.of() : reply.suggestions(), outcome);
        Optional<TurnEnd> end = db.inTransaction(session -> TurnRepository.finish(session, finish));
        metrics.run(status.value());
        return end;
    }

    /** Closes the run on a failure path; a failure to do so is logged, not allowed to hide the first one. */
    void finishQuietly(Turn turn, String text, ModelReply reply, RunStatus status, String error) {
        try {
            finish(turn, text, reply, status, error);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not close run " + turn.runId() + " as " + status.value(), e);
        }
    }
}
