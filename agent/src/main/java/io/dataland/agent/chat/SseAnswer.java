package io.dataland.agent.chat;

import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.dataland.agent.message.Message;
import io.dataland.agent.model.ModelReply;
import io.dataland.agent.run.RunStatus;
import io.dataland.kit.http.ApiException;
import io.helidon.webserver.http.ServerResponse;

/**
 * A turn answered as Server-Sent Events, in the contract's order: meta, delta+, images, sources,
 * suggestions, done. A model failure before the first event is still a JSON error; after it, an
 * {@code error} event. A client that leaves mid-stream cancels the run with the text streamed so far.
 */
final class SseAnswer {

    private static final Logger LOG = Logger.getLogger(SseAnswer.class.getName());

    /** The {@code usage} of the {@code done} event. */
    record Usage(Integer promptTokens, Integer completionTokens, Double costUsd) {
    }

    private SseAnswer() {
    }

    /** Runs {@code turn}, streaming its answer to {@code res}. */
    static void send(TurnRunner runner, ServerResponse res, TurnRunner.Turn turn) {
        TurnStart start = turn.start();
        SseTurn stream = new SseTurn(res, Map.of("conversation_id", start.conversationId(), "run_id", turn.runId(),
                "user_message_id", start.userMessage().id()));
        StringBuilder streamed = new StringBuilder();
        ModelReply reply;
        try {
            reply = runner.callModel(turn, delta -> {
                stream.emit("delta", Map.of("text", delta));
                streamed.append(delta);
            });
        } catch (SseTurn.ClientGone e) {
            runner.finishQuietly(turn, streamed.toString(), null, RunStatus.CANCELLED, null);
            stream.close();
            return;
        } catch (ApiException e) {
            if (!stream.started()) {
                throw e;
            }
            emitError(stream, e.code(), e.getMessage());
            stream.close();
            return;
        }
        Optional<TurnEnd> end;
        try {
            end = runner.finish(turn, reply.text(), reply, RunStatus.SUCCESS, null);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not save the answer of run " + turn.runId(), e);
            runner.finishQuietly(turn, null, reply, RunStatus.ERROR, "the answer could not be saved");
            emitError(stream, "internal_error", "the answer could not be saved");
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

    private static void emitError(SseTurn stream, String code, String message) {
        try {
            stream.emit("error", Map.of("error", code, "message", message));
        } catch (SseTurn.ClientGone ignored) {
            // nobody left to tell
        }
    }
}
