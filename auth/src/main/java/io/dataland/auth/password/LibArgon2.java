package io.dataland.auth.password;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Argon2id through libargon2, the C reference implementation (the one argon2-cffi wraps), called with the
 * JDK's foreign function API: no JNI glue, and each computation's 64 MiB is malloc'ed and freed by the
 * library outside the Java heap (glibc serves a block that size with mmap, so it goes back to the OS on free).
 *
 * <p>The PHC string comes from the library itself ({@code argon2id_hash_encoded}, {@code argon2_verify}),
 * so it is byte for byte what argon2-cffi writes and reads. A call blocks its thread for the whole
 * computation (the library runs the lanes on its own pthreads): callers run it on platform threads
 * ({@link HashBulkhead}), never on a virtual thread's carrier.
 */
public final class LibArgon2 implements Argon2Engine {

    /**
     * Where to look, in order: the soname (the dynamic linker's search path and cache), then the places
     * distributions put it, for a process whose loader cache does not list it.
     */
    public static final List<String> CANDIDATES = List.of("libargon2.so.1",
            "/usr/lib/x86_64-linux-gnu/libargon2.so.1", "/usr/lib/aarch64-linux-gnu/libargon2.so.1",
            "/lib/x86_64-linux-gnu/libargon2.so.1", "/usr/lib64/libargon2.so.1", "/usr/lib/libargon2.so.1",
            "/usr/local/lib/libargon2.so.1", "/opt/homebrew/lib/libargon2.1.dylib", "/usr/local/lib/libargon2.1.dylib");

    // argon2.h: ARGON2_OK (a mismatch is ARGON2_VERIFY_MISMATCH, -35), enum argon2_type { Argon2_d, Argon2_i, Argon2_id }
    private static final int OK = 0;
    private static final int ARGON2_D = 0;
    private static final int ARGON2_I = 1;
    private static final int ARGON2_ID = 2;
    /** Room for any PHC string we write ($argon2id$v=19$m=65536,t=3,p=4$ + 22 + 1 + 43 = 97) and its NUL. */
    private static final int ENCODED_BYTES = 128;
    /** The longest stored PHC string we pass to the library; anything longer is malformed here. */
    private static final int MAX_STORED = 512;

    /**
     * A known answer checked at load ({@code echo -n password | argon2 somesaltsomesalt -id -t 1 -k 64 -p 4
     * -l 32 -e}; password4j computes the same, see PasswordHasherTest): a library that loads but computes
     * something else is not used.
     */
    static final String KNOWN_ANSWER = "$argon2id$v=19$m=64,t=1,p=4$c29tZXNhbHRzb21lc2FsdA$nrbVveCyOJGsLPFme+VHTcq3tyr7ER9/kJoJsVK6sUo";

    private final String library;
    private final MethodHandle hashEncoded;
    private final MethodHandle verify;

    private LibArgon2(String library, SymbolLookup lookup) {
        Linker linker = Linker.nativeLinker();
        this.library = library;
        // int argon2id_hash_encoded(uint32_t t_cost, uint32_t m_cost, uint32_t parallelism, const void *pwd,
        //     size_t pwdlen, const void *salt, size_t saltlen, size_t hashlen, char *encoded, size_t encodedlen)
        this.hashEncoded = linker.downcallHandle(symbol(lookup, "argon2id_hash_encoded"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG,
                        JAVA_LONG, ADDRESS, JAVA_LONG));
        // int argon2_verify(const char *encoded, const void *pwd, size_t pwdlen, argon2_type type)
        this.verify = linker.downcallHandle(symbol(lookup, "argon2_verify"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private static MemorySegment symbol(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalArgumentException("no symbol " + name));
    }

    /**
     * The first of {@code candidates} that loads, has both functions and computes the known answer;
     * empty when none does (the reason of each refusal goes to {@code reasons}).
     */
    public static Optional<LibArgon2> load(List<String> candidates, List<String> reasons) {
        for (String candidate : candidates) {
            try {
                // the global arena: a loaded library stays loaded for the life of the process
                LibArgon2 lib = new LibArgon2(candidate, SymbolLookup.libraryLookup(candidate, Arena.global()));
                byte[] salt = "somesaltsomesalt".getBytes(StandardCharsets.US_ASCII);
                String answer = lib.encode(1, 64, 4, "password".getBytes(StandardCharsets.US_ASCII), salt);
                if (!KNOWN_ANSWER.equals(answer)) {
                    reasons.add(candidate + ": wrong known answer " + answer);
                    continue;
                }
                return Optional.of(lib);
            } catch (IllegalArgumentException | IllegalStateException e) {
                reasons.add(candidate + ": " + e.getMessage());
            } catch (IllegalCallerException e) {
                // native access denied (--enable-native-access names other modules): the fallback serves
                reasons.add(candidate + ": native access denied: " + e.getMessage());
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The library this instance calls (the candidate that loaded). */
    public String library() {
        return library;
    }

    @Override
    public String name() {
        return "libargon2 (FFM)";
    }

    @Override
    public String hash(byte[] password, byte[] salt) {
        return encode(ITERATIONS, MEMORY_KIB, PARALLELISM, password, salt);
    }

    private String encode(int iterations, int memoryKib, int lanes, byte[] password, byte[] salt) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pwd = arena.allocateFrom(JAVA_BYTE, password);
            MemorySegment saltSegment = arena.allocateFrom(JAVA_BYTE, salt);
            MemorySegment encoded = arena.allocate(ENCODED_BYTES);
            int rc;
            try {
                rc = (int) hashEncoded.invokeExact(iterations, memoryKib, lanes, pwd, (long) password.length,
                        saltSegment, (long) salt.length, (long) HASH_BYTES, encoded, (long) ENCODED_BYTES);
            } finally {
                pwd.fill((byte) 0); // the arena frees it; no copy of the password lingers in native memory
            }
            if (rc != OK) {
                throw new IllegalStateException("argon2id_hash_encoded failed with code " + rc);
            }
            return encoded.getString(0, StandardCharsets.US_ASCII);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean verify(byte[] password, String phc) {
        int type = phc.startsWith("$argon2id$") ? ARGON2_ID : phc.startsWith("$argon2i$") ? ARGON2_I
                : phc.startsWith("$argon2d$") ? ARGON2_D : -1;
        if (type < 0 || phc.length() > MAX_STORED || phc.indexOf('\0') >= 0) {
            return false; // a malformed stored hash never matches
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment encoded = arena.allocateFrom(phc, StandardCharsets.US_ASCII);
            MemorySegment pwd = arena.allocateFrom(JAVA_BYTE, password);
            try {
                int rc = (int) verify.invokeExact(encoded, pwd, (long) password.length, type);
                // VERIFY_MISMATCH, or a decoding error for a malformed string: neither matches
                return rc == OK;
            } finally {
                pwd.fill((byte) 0);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean usesHeap() {
        return false;
    }
}
