package io.dataland.agent.chat;

import java.util.Optional;
import java.util.UUID;

import io.dataland.agent.conversation.Conversation;
import io.dataland.agent.metrics.AgentMetrics;
import io.dataland.agent.model.ModelProvider;
import io.dataland.agent.security.BearerAuth;
import io.dataland.kit.db.UnitOfWork;
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

    private final TurnRunner runner;
    private final int messageMaxChars;
    private final TurnLimits limits;

    private ChatService(TurnRunner runner, int messageMaxChars, TurnLimits limits) {
        this.runner = runner;
        this.messageMaxChars = messageMaxChars;
        this.limits = limits;
    }

    /**
     * Turns written through {@code db}, answered by {@code model}; messages up to {@code messageMaxChars};
     * each turn admitted by {@code limits} before it writes anything.
     */
    public static ChatService create(UnitOfWork db, ModelProvider model, AgentMetrics metrics, int messageMaxChars,
                                     TurnLimits limits) {
        return new ChatService(new TurnRunner(db, model, metrics), messageMaxChars, limits);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/museum", (req, res) -> runner.admit(() -> museumTurn(req, res)))
                .post("/", (req, res) -> runner.admit(() -> generalTurn(req, res)));
    }

    /**
     * Graceful shutdown: no new turn from now on (503 {@code shutting_down}); turns in flight get up to
     * {@code timeout} to finish, model call included; returns how many had to be cut.
     */
    public int drain(java.time.Duration timeout) {
        return runner.drain(timeout);
    }

    private void museumTurn(ServerRequest req, ServerResponse res) {
        String userId = BearerAuth.caller(req).sub();
        JsonBody body = JsonBody.read(req);
        String ticketId = Text.ticketId(body.requiredString("ticket_id"));
        String message = Text.message(body.requiredString("message"), messageMaxChars);
        int history = runner.historyTurns();
        try (TurnLimits.Permit permit = limits.admit(userId)) {
            String runId = UUID.randomUUID().toString();
            MuseumStart start = runner.begin(runId, userId, session ->
                    TurnRepository.beginMuseum(session, runId, userId, ticketId, title(message), message, history));
            switch (start) {
                case MuseumStart.Started started -> answer(req, res, started.start(), userId, Conversation.MUSEUM, message);
                case MuseumStart.OwnedByOtherUser owned -> throw new ApiException(Status.FORBIDDEN_403,
                        "ticket_owned_by_other_user", "this ticket is registered to another user");
                case MuseumStart.IdTaken taken -> throw new ApiException(Status.CONFLICT_409,
                        "ticket_conflicts_with_conversation", "this ticket id is the id of a conversation that is"
                        + " not this ticket's museum conversation");
            }
        }
    }

    private void generalTurn(ServerRequest req, ServerResponse res) {
        String userId = BearerAuth.caller(req).sub();
        JsonBody body = JsonBody.read(req);
        Optional<String> conversationId = body.optionalString("conversation_id");
        String message = Text.message(body.requiredString("message"), messageMaxChars);
        int history = runner.historyTurns();
        try (TurnLimits.Permit permit = limits.admit(userId)) {
            String runId = UUID.randomUUID().toString();
            TurnStart start = runner.begin(runId, userId, session -> conversationId.isPresent()
                    ? TurnRepository.begin(session, runId, conversationId.get(), userId, message, history)
                            .orElseThrow(() -> ApiException.notFound("conversation"))
                    : TurnRepository.beginNewGeneral(session, runId, userId, title(message), message, history));
            answer(req, res, start, userId, Conversation.GENERAL, message);
        }
    }

    private void answer(ServerRequest req, ServerResponse res, TurnStart start, String userId, String mode, String message) {
        TurnRunner.Turn turn = runner.turn(start, userId, mode, message);
        runner.begun(turn);
        if (wantsEvents(req)) {
            SseAnswer.send(runner, res, turn);
        } else {
            JsonAnswer.send(runner, res, turn);
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
