package io.dataland.agent.security;

import java.util.function.Function;

import io.dataland.kit.http.Bearer;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

/**
 * The filter in front of every {@code /v1} route: a valid {@code Authorization: Bearer} token or 401.
 * The verified {@link Caller} is put in the request context, where handlers find it with
 * {@link #caller(ServerRequest)}, and handed to {@code onCaller} (which keeps the {@code users} row in step
 * with the claims); what that returns (the row) goes into the context too.
 */
public final class BearerAuth implements Filter {

    private static final String PREFIX = "/v1/";

    private final JwtVerifier verifier;
    private final Function<Caller, ?> onCaller;

    /** A filter verifying with {@code verifier}, then calling {@code onCaller}. */
    public BearerAuth(JwtVerifier verifier, Function<Caller, ?> onCaller) {
        this.verifier = verifier;
        this.onCaller = onCaller;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (path.startsWith(PREFIX) || path.equals("/v1")) {
            Caller caller = verifier.verify(Bearer.require(req.headers()));
            req.context().register(caller);
            Object row = onCaller.apply(caller);
            if (row != null) {
                req.context().register(row);
            }
        }
        chain.proceed();
    }

    /** The caller this filter verified (handlers under {@code /v1} only). */
    public static Caller caller(ServerRequest req) {
        return req.context().get(Caller.class)
                .orElseThrow(() -> Bearer.unauthorized("missing bearer token"));
    }
}
