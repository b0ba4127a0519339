package io.dataland.auth.password;

/**
 * One Argon2id implementation: computes and checks PHC strings ({@code $argon2id$v=19$m=..,t=..,p=..$salt$hash},
 * unpadded base64), the format argon2-cffi and libargon2 write. Two exist: {@link LibArgon2} (the C reference
 * implementation through the JDK's foreign function API; memory outside the Java heap) and
 * {@link Password4jArgon2} (pure Java, the portable fallback; 64 MiB of heap per hash).
 */
public sealed interface Argon2Engine permits LibArgon2, Password4jArgon2 {

    /** Memory cost of a new hash in KiB (64 MiB). */
    int MEMORY_KIB = 65536;
    /** Passes over the memory. */
    int ITERATIONS = 3;
    /** Lanes. */
    int PARALLELISM = 4;
    /** Hash length in bytes. */
    int HASH_BYTES = 32;

    /** What the boot log names: {@code libargon2 (FFM)} or {@code password4j}. */
    String name();

    /** A PHC string of {@code password} (UTF-8) with {@code salt} and the parameters above. */
    String hash(byte[] password, byte[] salt);

    /**
     * Whether {@code password} matches {@code phc}, with the parameters written in {@code phc}; false for
     * a malformed string, never an exception.
     */
    boolean verify(byte[] password, String phc);

    /** Whether each computation takes its memory from the Java heap (the bulkhead sizes by heap then). */
    boolean usesHeap();
}
