package io.dataland.agent.chat;

import java.util.Optional;

import io.dataland.agent.conversation.Conversation;
import io.dataland.agent.message.MessageRepository;
import io.dataland.agent.metrics.AgentMetrics;
import io.dataland.agent.model.ModelProvider;
import io.dataland.agent.security.BearerAuth;
import io.dataland.agent.turn.MuseumStart;
import io.dataland.agent.turn.TurnRepository;
import io.dataland.agent.turn.TurnStart;
import io.dataland.kit.http.JsonBody;
import io.dataland.kit.http.Text;
import io.dataland.kit.http.ApiException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /v1/chat/museum} and {@code POST /v1/chat}: one agent turn each, answered as JSON or, with
 * {@code Accept: text/event-stream}, as Server-Sent Events.
 */
public final class ChatService implements HttpService {

    private static final int TITLE_CHARS = 80;

    private final TurnRepository turns;
    private final TurnRunner runner;
    private final int messageMaxChars;

    private ChatService(TurnRepository turns, TurnRunner runner, int messageMaxChars) {
        this.turns = turns;
        this.runner = runner;
        this.messageMaxChars = messageMaxChars;
    }

    /** Turns written through {@code turns}, answered by {@code model}; messages up to {@code messageMaxChars}. */
    public static ChatService create(TurnRepository turns, MessageRepository messages, ModelProvider model,
                                     AgentMetrics metrics, int messageMaxChars) {
        return new ChatService(turns, new TurnRunner(turns, messages, model, metrics), messageMaxChars);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/museum", this::museumTurn)
                .post("/", this::generalTurn);
    }

    private void museumTurn(ServerRequest req, ServerResponse res) {
        String userId = BearerAuth.caller(req).sub();
        JsonBody body = JsonBody.read(req);
        String ticketId = Text.ticketId(body.requiredString("ticket_id"));
        String message = Text.message(body.requiredString("message"), messageMaxChars);
        MuseumStart start = turns.beginMuseum(userId, ticketId, title(message), message);
        if (!(start instanceof MuseumStart.Started started)) {
            throw new ApiException(Status.FORBIDDEN_403, "ticket_owned_by_other_user",
                    "this ticket is registered to another user");
        }
        answer(req, res, started.start(), userId, Conversation.MUSEUM, message);
    }

    private void generalTurn(ServerRequest req, ServerResponse res) {
        String userId = BearerAuth.caller(req).sub();
        JsonBody body = JsonBody.read(req);
        Optional<String> conversationId = body.optionalString("conversation_id");
        String message = Text.message(body.requiredString("message"), messageMaxChars);
        TurnStart start = conversationId.isPresent()
                ? turns.begin(conversationId.get(), userId, message).orElseThrow(() -> ApiException.notFound("conversation"))
                : turns.beginNewGeneral(userId, title(message), message);
        answer(req, res, start, userId, Conversation.GENERAL, message);
    }

    private void answer(ServerRequest req, ServerResponse res, TurnStart start, String userId, String mode, String message) {
        TurnRunner.Turn turn = new TurnRunner.Turn(start, userId, runner.request(start, mode, message));
        if (wantsEvents(req)) {
            runner.answerEvents(res, turn);
        } else {
            runner.answerJson(res, turn);
        }
    }

    private static boolean wantsEvents(ServerRequest req) {
        return req.headers().first(HeaderNames.ACCEPT)
                .map(accept -> accept.toLowerCase(java.util.Locale.ROOT).contains("text/event-stream"))
                .orElse(false);
    }

    /** A conversation title from its first message: whitespace collapsed, at most 80 characters. */
    static String title(String message) {
        String flat = message.strip().replaceAll("\\s+", " ");
        if (flat.codePointCount(0, flat.length()) <= TITLE_CHARS) {
            return flat;
        }
        return flat.substring(0, flat.offsetByCodePoints(0, TITLE_CHARS - 1)) + "\u2026";
    }
}
