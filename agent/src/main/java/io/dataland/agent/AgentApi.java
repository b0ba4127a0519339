package io.dataland.agent;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.dataland.agent.chat.ChatService;
import io.dataland.agent.chat.TurnLimits;
import io.dataland.agent.conversation.ConversationService;
import io.dataland.agent.message.MessageService;
import io.dataland.agent.metrics.AgentMetrics;
import io.dataland.agent.model.ModelProvider;
import io.dataland.agent.model.ModelProviders;
import io.dataland.agent.run.RunService;
import io.dataland.agent.security.BearerAuth;
import io.dataland.agent.security.Caller;
import io.dataland.agent.security.JwksKeys;
import io.dataland.agent.security.JwtVerifier;
import io.dataland.agent.user.MeService;
import io.dataland.agent.user.UserClaims;
import io.dataland.agent.user.KnownUsers;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.UnitOfWork;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;

/**
 * The agent's {@code /v1} API, wired from settings: token trust (JWKS URL and file), the unit of
 * work, the model provider, the meters; {@link #routing} registers one {@link
 * io.helidon.webserver.http.HttpService} per resource behind the bearer filter.
 */
public final class AgentApi {

    private final BearerAuth auth;
    private final ChatService chat;
    private final ConversationService conversations;
    private final MessageService messages;
    private final RunService runs;
    private final MeService me;

    private AgentApi(BearerAuth auth, ChatService chat,
                     ConversationService conversations, MessageService messages, RunService runs, MeService me) {
        this.auth = auth;
        this.chat = chat;
        this.conversations = conversations;
        this.messages = messages;
        this.runs = runs;
        this.me = me;
    }

    /** The API over {@code db} with the trust, model and limits {@code settings} give. */
    public static AgentApi create(Settings settings, UnitOfWork db, AgentMetrics metrics) {
        JwksKeys keys = jwksKeys(settings).start();
        JwtVerifier verifier = new JwtVerifier(keys,
                new JwtVerifier.Trust(settings.find("JWT_ISSUER").orElse(null), settings.find("JWT_AUDIENCE").orElse(null)),
                new JwtVerifier.Trust(settings.find("CMS_JWT_ISSUER").orElse(null),
                        settings.find("CMS_JWT_AUDIENCE").orElse(null)),
                settings.requireInt("JWT_LEEWAY_SECONDS", 0, (int) JwtVerifier.MAX_LEEWAY_SECONDS),
                Duration.ofSeconds(settings.requireInt("JWT_MAX_LIFETIME_SECONDS", 60, 366 * 86_400)),
                Duration.ofSeconds(settings.requireInt("JWT_CACHE_SECONDS", 0, 3600)), java.time.Clock.systemUTC());
        ModelProvider model = ModelProviders.fromSettings(settings);
        ChatService chat = ChatService.create(db, model, metrics, settings.requireInt("MESSAGE_MAX_CHARS", 1, 1_000_000),
                TurnLimits.from(settings));
        KnownUsers users = new KnownUsers(db, settings.requireInt("USER_CACHE_SIZE", 0, 10_000_000),
                Duration.ofSeconds(settings.requireInt("USER_CACHE_SECONDS", 0, 3600)));
        return new AgentApi(new BearerAuth(verifier, caller -> users.get(claims(caller))), chat,
                new ConversationService(db), new MessageService(db), new RunService(db), new MeService());
    }

    /** The chat service (the shutdown drains its turns). */
    public ChatService chat() {
        return chat;
    }

    /** Registers the filters and services on {@code routing}. */
    public void routing(HttpRouting.Builder routing) {
        routing.addFilter(auth);
        services().forEach(routing::register);
    }

    /** The services by path prefix (the OpenAPI drift test reads their routes). */
    public Map<String, HttpService> services() {
        Map<String, HttpService> services = new LinkedHashMap<>();
        services.put("/v1/me", me);
        services.put("/v1/chat", chat);
        services.put("/v1/conversations", conversations);
        services.put("/v1/messages", messages);
        services.put("/v1/runs", runs);
        return services;
    }

    static JwksKeys jwksKeys(Settings settings) {
        return new JwksKeys(settings.find("AUTH_JWKS_URL").map(URI::create).orElse(null),
                settings.find("JWKS_FILE").map(Path::of).orElse(null),
                Duration.ofSeconds(settings.requireInt("JWKS_REFETCH_COOLDOWN_SECONDS", 0, 86_400)),
                Duration.ofSeconds(settings.requireInt("JWKS_MAX_AGE_SECONDS", 0, 86_400)),
                Clock.systemUTC());
    }

    private static UserClaims claims(Caller c) {
        return new UserClaims(c.sub(), c.email(), c.fullName(), c.location(), c.profilePhotoUrl(), c.joinedDate(),
                c.accessPermissions(), c.stripeCustomerId());
    }
}
