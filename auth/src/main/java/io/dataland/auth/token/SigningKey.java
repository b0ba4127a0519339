package io.dataland.auth.token;

import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;

/**
 * One RSA signing key of the auth server.
 *
 * @param kid        its key id (the JWT header's {@code kid}, the JWK's {@code kid})
 * @param privateKey signs tokens (never leaves the data directory)
 * @param publicKey  verifies them (served in the JWKS)
 */
public record SigningKey(String kid, RSAPrivateKey privateKey, RSAPublicKey publicKey) {

    @Override
    public String toString() {
        return "SigningKey[" + kid + "]"; // never the key material
    }
}
