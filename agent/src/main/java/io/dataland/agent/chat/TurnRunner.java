package io.dataland.agent.chat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.dataland.agent.metrics.AgentMetrics;
import io.dataland.agent.model.ModelException;
import io.dataland.agent.model.ModelProvider;
import io.dataland.agent.model.ModelReply;
import io.dataland.agent.model.ModelRequest;
import io.dataland.agent.run.Run;
import io.dataland.agent.run.RunMapper;
import io.dataland.agent.run.RunOutcome;
import io.dataland.agent.run.RunStatus;
import io.dataland.kit.db.DatabaseGuard;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.http.JsonErrors;
import io.dataland.kit.http.Json;
import io.dataland.kit.http.ApiException;
import io.helidon.http.Status;
import org.apache.ibatis.session.SqlSession;

/**
 * The middle and end of a turn, once its user message and run are written: the model call (outside any
 * transaction) and the run's lifecycle. Every run ends closed: {@code success}; {@code error} with the
 * reason; {@code cancelled} with the text streamed so far when the client disconnects. How the answer is
 * sent is {@link JsonAnswer}'s or {@link SseAnswer}'s.
 */
final class TurnRunner {

    private static final Logger LOG = Logger.getLogger(TurnRunner.class.getName());
    private static final Duration RETRY_EVERY = Duration.ofMillis(250);

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

    /**
     * Runs a turn's begin unit of work {@code work}, which opens {@code userId}'s run {@code runId}, and
     * commits it.
     *
     * <p>Why the run id comes from the caller: when the connection dies after the COMMIT was sent but before
     * its answer was read (PostgreSQL stopping right then), the transaction may have committed, and then the
     * run is open with no {@link Turn} in memory to close it; only the reaper would, after the orphan age.
     * So a connection failure once the work has returned (it can only be the COMMIT's) queues "close
     * {@code runId} as {@code error} if it exists and is still open" on the pending-close retry loop: a
     * no-op when the COMMIT did not land. A failure before that point rolled everything back (no COMMIT was
     * sent), so nothing is queued for the many requests refused while the database is away.
     */
    <T> T begin(String runId, String userId, Function<SqlSession, T> work) {
        AtomicBoolean committing = new AtomicBoolean();
        try {
            return db.inTransaction(session -> {
                T started = work.apply(session);
                committing.set(true);
                return started;
            });
        } catch (RuntimeException e) {
            if (committing.get() && unreachable(e)) {
                LOG.warning(() -> "database unreachable at the commit of run " + runId
                        + ": closing it as error once the database is back, if it was written");
                pending.add(new PendingClose(runId, () -> closeIfOpen(runId, userId, "database unavailable")));
                retryPending();
            }
            throw e;
        }
    }

    /**
     * Closes {@code userId}'s run {@code runId} as {@code error} with {@code reason} when it exists and is
     * still open; whether it did (only then is it counted in the run metrics).
     */
    private boolean closeIfOpen(String runId, String userId, String reason) {
        RunOutcome outcome = new RunOutcome(model.model(), null, null, null, RunStatus.ERROR, reason);
        boolean closed = db.inTransaction(session -> {
            RunMapper runs = session.getMapper(RunMapper.class);
            Run run = runs.findOwned(runId, userId);
            // open = neither finished nor given a status (as the reaper reads it)
            if (run == null || run.finishedAt() != null || run.status() != null) {
                return false;
            }
            return runs.close(runId, userId, outcome, RunStatus.ERROR.value()) != null;
        });
        if (closed) {
            metrics.run(RunStatus.ERROR.value());
        }
        return closed;
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
        // what was streamed before a failure is kept with the closed run (the SSE client saw it)
        StringBuilder partial = new StringBuilder();
        ModelProvider.DeltaSink capture = delta -> {
            sink.delta(delta);
            partial.append(delta);
        };
        try {
            ModelReply reply = model.reply(turn.request(), capture);
            metrics.model(model.model(), "success", Duration.ofNanos(System.nanoTime() - begin),
                    reply.promptTokens(), reply.completionTokens());
            return reply;
        } catch (ModelException e) {
            metrics.model(model.model(), "error", Duration.ofNanos(System.nanoTime() - begin), null, null);
            if (stopping) {
                // interrupted by the drain deadline: the run says why, the client may retry elsewhere
                finishQuietly(turn, partial.isEmpty() ? null : partial.toString(), null, RunStatus.ERROR, "shutdown");
                throw shuttingDown();
            }
            finishQuietly(turn, partial.isEmpty() ? null : partial.toString(), null, RunStatus.ERROR, e.getMessage());
            throw new ApiException(Status.BAD_GATEWAY_502, "model_error", "the model failed: " + e.getMessage());
        } catch (SseTurn.ClientGone e) {
            metrics.model(model.model(), "cancelled", Duration.ofNanos(System.nanoTime() - begin), null, null);
            throw e;
        } catch (RuntimeException e) {
            finishQuietly(turn, null, null, RunStatus.ERROR, stopping ? "shutdown" : "internal error");
            throw e;
        }
    }

    // ---- graceful shutdown: turns in flight finish (model call included) within the drain timeout ----

    private final Map<Thread, Optional<Turn>> inFlight = new ConcurrentHashMap<>();
    private final Object drained = new Object();
    private volatile boolean accepting = true;
    private volatile boolean stopping;

    /** 503 {@code shutting_down}: this agent is stopping, another replica (or this one restarted) will answer. */
    static ApiException shuttingDown() {
        return new ApiException(Status.SERVICE_UNAVAILABLE_503, "shutting_down",
                "the server is shutting down; retry shortly", Duration.ofSeconds(1));
    }

    /** Runs one turn request {@code body} counted as in flight; refused with 503 once the drain began. */
    void admit(Runnable body) {
        if (!accepting) {
            throw shuttingDown();
        }
        Thread self = Thread.currentThread();
        inFlight.put(self, Optional.empty());
        try {
            if (!accepting) {
                throw shuttingDown();
            }
            body.run();
        } finally {
            inFlight.remove(self);
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /** Marks the calling request's turn (its run is open from now on). */
    void begun(Turn turn) {
        inFlight.computeIfPresent(Thread.currentThread(), (t, none) -> Optional.of(turn));
    }

    /**
     * Stops admitting turns and waits up to {@code timeout} for those in flight to finish; the ones still
     * running then are interrupted (their runs closed {@code error} "shutdown", an SSE stream gets a final
     * {@code error} event) and, past a short grace, closed here. Returns how many were cut.
     */
    int drain(Duration timeout) {
        accepting = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        awaitIdle(deadline);
        int cut = inFlight.size();
        if (cut > 0) {
            stopping = true;
            LOG.warning(() -> cut + " turn(s) still running after the drain timeout: closing them as 'shutdown'");
            inFlight.keySet().forEach(Thread::interrupt);
            awaitIdle(System.nanoTime() + Duration.ofSeconds(5).toNanos());
            inFlight.values().forEach(turn -> turn.ifPresent(t -> finishQuietly(t, null, null, RunStatus.ERROR, "shutdown")));
        }
        return cut;
    }

    private void awaitIdle(long deadline) {
        synchronized (drained) {
            while (!inFlight.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    drained.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
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

    /**
     * Closes the run on a failure path; a failure to do so is logged, not allowed to hide the first one.
     * When the database is unreachable the close is queued and retried until it is back, so a run is never
     * left open by an outage (the partial text goes with it).
     */
    void finishQuietly(Turn turn, String text, ModelReply reply, RunStatus status, String error) {
        try {
            finish(turn, text, reply, status, error);
        } catch (RuntimeException e) {
            if (unreachable(e)) {
                LOG.warning(() -> "database unreachable: closing run " + turn.runId() + " as " + status.value()
                        + " once it is back");
                pending.add(new PendingClose(turn.runId(), () -> {
                    finish(turn, text, reply, status, error);
                    return true;
                }));
                retryPending();
            } else {
                LOG.log(Level.WARNING, "could not close run " + turn.runId() + " as " + status.value(), e);
            }
        }
    }

    /** How many run closes wait for the database (tests, shutdown). */
    int pendingCloses() {
        return pending.size();
    }

    /** A run to close once the database is back: {@code close} writes it and tells whether a run was closed. */
    private record PendingClose(String runId, BooleanSupplier close) {
    }

    private final Queue<PendingClose> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean retrying = new AtomicBoolean();

    // one retry loop at a time, living only while closes are pending
    private void retryPending() {
        if (!retrying.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("run-close-retry").start(() -> {
            try {
                while (!pending.isEmpty()) {
                    Thread.sleep(RETRY_EVERY);
                    for (PendingClose close = pending.peek(); close != null; close = pending.peek()) {
                        try {
                            String runId = close.runId();
                            LOG.info(close.close().getAsBoolean()
                                    ? () -> "closed run " + runId + " after the database came back"
                                    : () -> "run " + runId + " was not open after the database came back: nothing to close");
                        } catch (RuntimeException e) {
                            if (unreachable(e)) {
                                break;
                            }
                            LOG.log(Level.WARNING, "could not close run " + close.runId(), e);
                        }
                        pending.remove(close);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                retrying.set(false);
                if (!pending.isEmpty() && !Thread.currentThread().isInterrupted()) {
                    retryPending();
                }
            }
        });
    }

    private static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && (JsonErrors.isUnavailable(sql) || DatabaseGuard.isConnectionFailure(sql))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
