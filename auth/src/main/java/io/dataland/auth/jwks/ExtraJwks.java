package io.dataland.auth.jwks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.dataland.kit.http.Json;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;

/**
 * {@code AUTH_DATA_DIR/extra_jwks.json}: public keys this server does not own but vouches for (the
 * mirrored CMS key {@code dataland-rs256-1}), served in its JWKS. Read with jjwt's JWK-set parser; a
 * file that does not parse, holds a key without {@code kid}, or carries private or secret key material
 * is refused as a whole with a message saying why. The file is re-read when its modification time or
 * size changes (checked at most once per {@code recheck} interval), so edits need no restart.
 */
public final class ExtraJwks {

    /** The file name under {@code AUTH_DATA_DIR}. */
    public static final String FILE = "extra_jwks.json";

    private static final Logger LOG = Logger.getLogger(ExtraJwks.class.getName());
    /** JWK members that only private (RSA, EC, OKP) or secret (oct) keys have (RFC 7518 section 6). */
    private static final List<String> PRIVATE_MEMBERS = List.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

    private final Path file;
    private final long recheckNanos;
    private volatile State state;
    private volatile long checkedAt;

    private record State(String stamp, List<PublicJwk<?>> keys) {
    }

    /** Thrown when the file is present but unusable. */
    public static final class InvalidJwksException extends RuntimeException {
        InvalidJwksException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private ExtraJwks(Path file, long recheckMillis) {
        this.file = file;
        this.recheckNanos = recheckMillis * 1_000_000L;
    }

    /**
     * Opens {@code dataDir/extra_jwks.json}. An unusable file throws when {@code strict} (production
     * refuses to boot); otherwise it is logged and skipped until it changes.
     */
    public static ExtraJwks open(Path dataDir, long recheckMillis, boolean strict) {
        ExtraJwks extra = new ExtraJwks(dataDir.resolve(FILE), recheckMillis);
        String stamp = extra.stamp();
        try {
            extra.state = new State(stamp, extra.read());
        } catch (InvalidJwksException e) {
            if (strict) {
                throw e;
            }
            LOG.warning(e.getMessage() + "; serving the JWKS without it");
            extra.state = new State(stamp, List.of());
        }
        extra.checkedAt = System.nanoTime();
        return extra;
    }

    /** The current extra keys (re-read first when the file changed). */
    public List<PublicJwk<?>> keys() {
        long now = System.nanoTime();
        if (now - checkedAt >= recheckNanos) {
            checkedAt = now;
            String stamp = stamp();
            if (!stamp.equals(state.stamp())) {
                reload(stamp);
            }
        }
        return state.keys();
    }

    private synchronized void reload(String stamp) {
        if (stamp.equals(state.stamp())) {
            return;
        }
        try {
            List<PublicJwk<?>> keys = read();
            state = new State(stamp, keys);
            LOG.info(() -> file + " reloaded: " + keys.size() + " key(s)");
        } catch (InvalidJwksException e) {
            state = new State(stamp, List.of());
            LOG.warning(e.getMessage() + "; serving the JWKS without it until the file changes");
        }
    }

    private static void refusePrivateMembers(String source, String json) {
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new InvalidJwksException(source + " is not valid JSON" + (at == null ? ""
                    : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), null);
        }
        if (tree == null || !tree.path("keys").isArray()) {
            throw new InvalidJwksException(source + " is not a valid JWK set: it needs a \"keys\" array", null);
        }
        for (JsonNode key : tree.get("keys")) {
            for (String member : PRIVATE_MEMBERS) {
                if (key.has(member)) {
                    throw new InvalidJwksException(source + " carries private or secret key material (key "
                            + key.path("kid").asText("without kid") + " has member \"" + member
                            + "\"): only public keys may be listed, refusing the whole file", null);
                }
            }
        }
    }

    private String stamp() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.lastModifiedTime().toMillis() + ":" + attributes.size() + ":" + attributes.fileKey();
        } catch (NoSuchFileException e) {
            return "absent";
        } catch (IOException e) {
            return "unreadable:" + e.getClass().getSimpleName();
        }
    }

    private List<PublicJwk<?>> read() {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new InvalidJwksException(file + " cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
        return parse(file.toString(), json);
    }

    /**
     * The public keys of a JWK-set document; {@link InvalidJwksException} naming {@code source} otherwise.
     * The JSON syntax and the private members are checked first, so no message ever quotes the file.
     */
    static List<PublicJwk<?>> parse(String source, String json) {
        refusePrivateMembers(source, json);
        JwkSet set;
        try {
            set = Jwks.setParser().ignoreUnsupported(false).build().parse(json);
        } catch (RuntimeException e) {
            // only public members are left at this point, so jjwt's message quotes nothing secret
            throw new InvalidJwksException(source + " is not a valid JWK set: " + e.getMessage(), e);
        }
        List<PublicJwk<?>> keys = new ArrayList<>();
        for (Jwk<?> jwk : set.getKeys()) {
            if (!(jwk instanceof PublicJwk<?> publicJwk)) {
                throw new InvalidJwksException(source + " carries private or secret key material (key "
                        + (jwk.getId() == null ? "without kid" : jwk.getId()) + ", type " + jwk.getType()
                        + "): only public keys may be listed, refusing the whole file", null);
            }
            if (publicJwk.getId() == null || publicJwk.getId().isBlank()) {
                throw new InvalidJwksException(source + " lists a key without a kid; every key needs one", null);
            }
            keys.add(publicJwk);
        }
        return List.copyOf(keys);
    }
}
