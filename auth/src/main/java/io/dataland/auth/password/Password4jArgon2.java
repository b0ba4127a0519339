package io.dataland.auth.password;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/**
 * Argon2id in pure Java (password4j): the portable fallback where libargon2 is missing. Each computation
 * allocates its 64 MiB of blocks on the Java heap, and the function object keeps one more 64 MiB template
 * per parameter set, so it needs a heap of ~256 MiB + 72 MiB per concurrent hash; created only when
 * chosen, so the native path never pays for the template.
 */
public final class Password4jArgon2 implements Argon2Engine {

    private final Argon2Function function = Argon2Function.getInstance(MEMORY_KIB, ITERATIONS, PARALLELISM,
            HASH_BYTES, Argon2.ID, Argon2Function.ARGON2_VERSION_13);

    @Override
    public String name() {
        return "password4j";
    }

    @Override
    public String hash(byte[] password, byte[] salt) {
        return Password.hash(password).addSalt(salt).with(function).getResult();
    }

    @Override
    public boolean verify(byte[] password, String phc) {
        try {
            return Password.check(password, phc.getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .with(Argon2Function.getInstanceFromHash(phc));
        } catch (RuntimeException e) {
            return false; // a malformed stored hash never matches
        }
    }

    @Override
    public boolean usesHeap() {
        return true;
    }
}
