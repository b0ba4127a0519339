package io.dataland.agent.chat;

import java.util.Optional;

import io.dataland.agent.message.MessageView;
import io.dataland.agent.model.ModelReply;
import io.dataland.agent.run.RunStatus;
import io.dataland.kit.http.Json;
import io.dataland.kit.http.ApiException;
import io.helidon.webserver.http.ServerResponse;

/** A turn answered as one JSON document, once the model has finished. */
final class JsonAnswer {

    /** The JSON answer of a turn. */
    record Answer(String conversationId, String runId, MessageView userMessage, MessageView assistantMessage) {
    }

    private JsonAnswer() {
    }

    /** Runs {@code turn} and sends its answer; a model failure is a 502, a vanished conversation a 404. */
    static void send(TurnRunner runner, ServerResponse res, TurnRunner.Turn turn) {
        ModelReply reply = runner.callModel(turn, delta -> { });
        Optional<TurnEnd> saved;
        try {
            saved = runner.finish(turn, reply.text(), reply, RunStatus.SUCCESS, null);
        } catch (RuntimeException e) {
            runner.finishQuietly(turn, null, reply, RunStatus.ERROR, "the answer could not be saved");
            throw e;
        }
        TurnEnd end = saved.orElseThrow(() -> ApiException.notFound("conversation"));
        TurnStart start = turn.start();
        Json.ok(res, new Answer(start.conversationId(), turn.runId(), MessageView.of(start.userMessage()),
                MessageView.of(end.assistantMessage().orElseThrow())));
    }
}
