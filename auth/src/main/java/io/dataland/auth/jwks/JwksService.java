package io.dataland.auth.jwks;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dataland.auth.token.KeyRing;
import io.dataland.auth.token.SigningKey;
import io.dataland.kit.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaTypes;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;

/**
 * {@code GET /.well-known/jwks.json}: this server's public signing keys ({@code kty}, {@code n},
 * {@code e}, {@code kid}, {@code alg: RS256}, {@code use: sig}) followed by every key of
 * {@code extra_jwks.json}, each marked {@code "dataland_source": "extra"}. An extra key whose kid
 * collides with one of ours is left out.
 */
public final class JwksService implements HttpService {

    private static final Logger LOG = Logger.getLogger(JwksService.class.getName());
    /** The member marking mirrored keys; the agent's JwksKeys.SOURCE_MEMBER reads it. */
    static final String SOURCE_MEMBER = "dataland_source";

    private final KeyRing keys;
    private final ExtraJwks extra;

    /** Serves {@code keys} and {@code extra}. */
    public JwksService(KeyRing keys, ExtraJwks extra) {
        this.keys = keys;
        this.extra = extra;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/jwks.json", this::getJwks);
    }

    private void getJwks(ServerRequest req, ServerResponse res) {
        res.headers().contentType(HttpMediaTypes.JSON_UTF_8);
        res.header(HeaderNames.CACHE_CONTROL, "public, max-age=60");
        res.send(document());
    }

    /** The JWKS document. */
    public String document() {
        List<String> json = new ArrayList<>();
        Set<String> kids = new HashSet<>();
        for (SigningKey key : keys.all()) {
            kids.add(key.kid());
            json.add(Jwks.json(Jwks.builder().key(key.publicKey()).id(key.kid()).algorithm("RS256")
                    .publicKeyUse("sig").build()));
        }
        for (PublicJwk<?> jwk : extra.keys()) {
            if (kids.add(jwk.getId())) {
                json.add(marked(jwk));
            } else {
                LOG.warning(() -> ExtraJwks.FILE + " repeats kid " + jwk.getId() + "; the first key with it is served");
            }
        }
        return "{\"keys\":[" + String.join(",", json) + "]}";
    }

    /**
     * {@code jwk} with {@code "dataland_source": "extra"}: a key this server vouches for but does not sign
     * with, so the agent binds its tokens to the CMS issuer, never to this server's (RFC 7517 4: members
     * a reader does not understand are ignored, so other readers are unaffected).
     */
    private static String marked(PublicJwk<?> jwk) {
        try {
            ObjectNode node = (ObjectNode) Json.MAPPER.readTree(Jwks.json(jwk));
            node.put(SOURCE_MEMBER, "extra");
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JWK did not serialise", e);
        }
    }
}
