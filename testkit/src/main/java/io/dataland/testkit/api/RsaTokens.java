package io.dataland.testkit.api;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

/**
 * An RSA key pair with a {@code kid} that signs RS256 tokens with the JDK alone (no JWT library): for
 * black-box clients that need their own trusted key, e.g. the fleet's mirrored CMS key in the auth
 * server's {@code extra_jwks.json}, and for forgeries signed by a key nobody trusts.
 */
public final class RsaTokens {

    private final String kid;
    private final KeyPair pair;

    private RsaTokens(String kid, KeyPair pair) {
        this.kid = kid;
        this.pair = pair;
    }

    /** A fresh 2048-bit key called {@code kid}. */
    public static RsaTokens create(String kid) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new RsaTokens(kid, generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key id. */
    public String kid() {
        return kid;
    }

    /** The key pair. */
    public KeyPair pair() {
        return pair;
    }

    /** A JWK set holding the public key (kty, kid, alg, use, n, e). */
    public String jwks() {
        RSAPublicKey key = (RSAPublicKey) pair.getPublic();
        return "{\"keys\":[{\"kty\":\"RSA\",\"kid\":" + ApiClient.quote(kid) + ",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\""
                + b64(unsigned(key.getModulus())) + "\",\"e\":\"" + b64(unsigned(key.getPublicExponent())) + "\"}]}";
    }

    /** A valid token for {@code sub}: kid, iat now, exp in an hour, a random jti. */
    public String token(String sub) {
        long now = Instant.now().getEpochSecond();
        return sign("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":" + ApiClient.quote(kid) + "}",
                "{\"sub\":" + ApiClient.quote(sub) + ",\"iat\":" + now + ",\"exp\":" + (now + 3600)
                        + ",\"jti\":\"" + UUID.randomUUID() + "\"}");
    }

    /** The compact RS256 JWS of {@code header} and {@code payload} (JSON texts, taken as they are). */
    public String sign(String header, String payload) {
        String input = b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(payload.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(pair.getPrivate());
            rsa.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** base64url without padding. */
    public static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The big-endian magnitude without BigInteger's sign byte (RFC 7518: n and e are unsigned). */
    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 && bytes.length > 1 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }
}
