package io.dataland.agent.chat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.dataland.agent.message.Message;
import io.dataland.agent.message.MessageRepository;
import io.dataland.agent.message.MessageView;
import io.dataland.agent.metrics.AgentMetrics;
import io.dataland.agent.model.ModelException;
import io.dataland.agent.model.ModelProvider;
import io.dataland.agent.model.ModelReply;
import io.dataland.agent.model.ModelRequest;
import io.dataland.agent.run.RunOutcome;
import io.dataland.agent.run.RunStatus;
import io.dataland.agent.turn.FinishTurn;
import io.dataland.agent.turn.TurnEnd;
import io.dataland.agent.turn.TurnRepository;
import io.dataland.agent.turn.TurnStart;
import io.dataland.kit.http.Json;
import io.dataland.kit.http.ApiException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * The middle and end of a turn, once its user message and run are written: call the model (outside any
 * transaction), then write the assistant message and close the run, answering as JSON or as Server-Sent
 * Events. Every run ends closed: {@code success}; {@code error} with the reason (502 JSON before the stream
 * started, an {@code error} event after); {@code cancelled} with the text streamed so far when the client
 * disconnects.
 */
final class TurnRunner {

    private static final Logger LOG = Logger.getLogger(TurnRunner.class.getName());

    private final TurnRepository turns;
    private final MessageRepository messages;
    private final ModelProvider model;
    private final AgentMetrics metrics;

    TurnRunner(TurnRepository turns, MessageRepository messages, ModelProvider model, AgentMetrics metrics) {
        this.turns = turns;
        this.messages = messages;
        this.model = model;
        this.metrics = metrics;
    }

    /** The JSON answer of a turn. */
    record Answer(String conversationId, String runId, MessageView userMessage, MessageView assistantMessage) {
    }

    /** Answers the turn {@code start} as one JSON document. */
    void answerJson(ServerResponse res, Turn turn) {
        ModelReply reply = callModel(turn, delta -> { });
        Optional<TurnEnd> saved;
        try {
            saved = finish(turn, reply.text(), reply, RunStatus.SUCCESS, null);
        } catch (RuntimeException e) {
            finishQuietly(turn, null, reply, RunStatus.ERROR, "the answer could not be saved");
            throw e;
        }
        TurnEnd end = saved.orElseThrow(() -> ApiException.notFound("conversation"));
        Json.ok(res, new Answer(turn.start().conversationId(), turn.start().run().id(),
                MessageView.of(turn.start().userMessage()), MessageView.of(end.assistantMessage().orElseThrow())));
    }

    /** Answers the turn {@code start} as Server-Sent Events (API.md order: meta, delta+, images, sources, suggestions, done). */
    void answerEvents(ServerResponse res, Turn turn) {
        TurnStart start = turn.start();
        SseTurn stream = new SseTurn(res, Map.of("conversation_id", start.conversationId(), "run_id", start.run().id(),
                "user_message_id", start.userMessage().id()));
        StringBuilder streamed = new StringBuilder();
        ModelReply reply;
        try {
            reply = callModel(turn, delta -> {
                stream.emit("delta", Map.of("text", delta));
                streamed.append(delta);
            });
        } catch (SseTurn.ClientGone e) {
            finishQuietly(turn, streamed.toString(), null, RunStatus.CANCELLED, null);
            stream.close();
            return;
        } catch (ApiException e) {
            if (!stream.started()) {
                throw e;
            }
            try {
                stream.emit("error", Map.of("error", e.code(), "message", e.getMessage()));
            } catch (SseTurn.ClientGone ignored) {
                // nobody left to tell
            }
            stream.close();
            return;
        }
        Optional<TurnEnd> end;
        try {
            end = finish(turn, reply.text(), reply, RunStatus.SUCCESS, null);
        } catch (RuntimeException e) {
            // the answer could not be saved (database gone?): say so on the open stream, close the run if we can
            LOG.log(Level.WARNING, "could not save the answer of run " + start.run().id(), e);
            finishQuietly(turn, null, reply, RunStatus.ERROR, "the answer could not be saved");
            try {
                stream.emit("error", Map.of("error", "internal_error", "message", "the answer could not be saved"));
            } catch (SseTurn.ClientGone ignored) {
                // nobody left to tell
            }
            stream.close();
            return;
        }
        try {
            if (end.isEmpty()) {
                stream.emit("error", Map.of("error", "not_found", "message", "conversation not found"));
                return;
            }
            Message answer = end.get().assistantMessage().orElseThrow();
            stream.emit("images", answer.images());
            stream.emit("sources", answer.sources());
            stream.emit("suggestions", answer.suggestions());
            stream.emit("done", Map.of("assistant_message_id", answer.id(), "seq", answer.seq(),
                    "usage", new Usage(reply.promptTokens(), reply.completionTokens(), reply.costUsd())));
        } catch (SseTurn.ClientGone e) {
            LOG.fine("client left after the answer was saved");
        } finally {
            stream.close();
        }
    }

    /** The {@code usage} of the {@code done} event. */
    record Usage(Integer promptTokens, Integer completionTokens, Double costUsd) {
    }

    /**
     * Calls the model; a model failure closes the run as {@code error} and is a 502 {@link ApiException}
     * (the SSE caller turns it into an {@code error} event once its stream has started); a client that
     * left propagates as {@link SseTurn.ClientGone}.
     */
    private ModelReply callModel(Turn turn, ModelProvider.DeltaSink sink) {
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

    private Optional<TurnEnd> finish(Turn turn, String text, ModelReply reply, RunStatus status, String error) {
        TurnStart start = turn.start();
        RunOutcome outcome = reply == null
                ? new RunOutcome(model.model(), null, null, null, status, error)
                : new RunOutcome(reply.model(), reply.promptTokens(), reply.completionTokens(), reply.costUsd(), status, error);
        Optional<TurnEnd> end = turns.finish(new FinishTurn(start.conversationId(), turn.userId(), start.run().id(), text,
                reply == null ? List.of() : reply.images(), reply == null ? List.of() : reply.sources(),
                reply == null ? List.of() : reply.suggestions(), outcome));
        metrics.run(status.value());
        return end;
    }

    /** Closes the run on a failure path; a failure to do so is logged, not allowed to hide the first one. */
    private void finishQuietly(Turn turn, String text, ModelReply reply, RunStatus status, String error) {
        try {
            finish(turn, text, reply, status, error);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not close run " + turn.start().run().id() + " as " + status.value(), e);
        }
    }

    /** A begun turn: what was written, whose it is, and what the model is asked. */
    record Turn(TurnStart start, String userId, ModelRequest request) {
    }

    /** The model request for a begun turn, with history when the provider wants it. */
    ModelRequest request(TurnStart start, String mode, String text) {
        int wanted = model.historyTurns();
        List<ModelRequest.Turn> history = wanted == 0 ? List.of()
                : messages.recent(start.conversationId(), wanted + 1).stream()
                        .filter(m -> !m.id().equals(start.userMessage().id()))
                        .map(m -> new ModelRequest.Turn(m.role(), m.text()))
                        .toList();
        return new ModelRequest(mode, text, history);
    }
}
