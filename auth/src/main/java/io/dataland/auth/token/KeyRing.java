package io.dataland.auth.token;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The auth server's RSA signing keys, kept in {@code AUTH_DATA_DIR/signing-keys/}: one PKCS#8 PEM file
 * per key ({@code <kid>.pem}, mode 0600) and {@code current} naming the key that signs. The first boot
 * creates the first key; {@link #rotate} adds a key and makes it current, leaving the old ones (so their
 * tokens keep verifying and their public keys stay in the JWKS) until {@link #remove} deletes them.
 *
 * <p>A running server re-reads the directory at most once per {@code recheck} interval, so a rotation
 * done by the command line on the same data directory is picked up without a restart.
 */
public final class KeyRing {

    /** The sub-directory of {@code AUTH_DATA_DIR} holding the keys. */
    public static final String DIRECTORY = "signing-keys";

    private static final Pattern KID = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS").withZone(ZoneOffset.UTC);
    private static final String OWNER_ONLY = "rw-------";

    private final Path dir;
    private final long recheckMillis;
    private final ReentrantLock reloading = new ReentrantLock();
    private volatile Snapshot snapshot;
    private volatile long checkedAt;

    private record Snapshot(String fingerprint, SigningKey current, Map<String, SigningKey> keys) {
    }

    private KeyRing(Path dir, long recheckMillis) {
        this.dir = dir;
        this.recheckMillis = recheckMillis;
    }

    /** Opens the ring under {@code dataDir}, creating the directory and the first key when absent. */
    public static KeyRing open(Path dataDir, long recheckMillis) {
        Path dir = dataDir.resolve(DIRECTORY);
        try {
            Files.createDirectories(dir);
            restrict(dir, "rwx------");
            Path current = dir.resolve("current");
            if (!Files.exists(current)) {
                String kid = writeNewKey(dir);
                try {
                    Files.writeString(Files.createFile(current, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString(OWNER_ONLY))), kid);
                } catch (FileAlreadyExistsException raced) {
                    Files.deleteIfExists(dir.resolve(kid + ".pem")); // another instance won the first boot
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the signing keys in " + dir, e);
        }
        KeyRing ring = new KeyRing(dir, recheckMillis);
        ring.snapshot = ring.load();
        ring.checkedAt = System.nanoTime();
        return ring;
    }

    /** Adds a new key under {@code dataDir} and makes it current; returns its kid. */
    public static String rotate(Path dataDir) {
        Path dir = dataDir.resolve(DIRECTORY);
        try {
            Files.createDirectories(dir);
            restrict(dir, "rwx------");
            String kid = writeNewKey(dir);
            Path temp = Files.createTempFile(dir, "current", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
            Files.writeString(temp, kid);
            Files.move(temp, dir.resolve("current"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return kid;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rotate the signing keys in " + dir, e);
        }
    }

    /**
     * Makes an existing RSA private key (PEM, PKCS#1 {@code BEGIN RSA PRIVATE KEY} or PKCS#8
     * {@code BEGIN PRIVATE KEY}) the current signing key under {@code kid}, so tokens it signed before
     * (the old auth server's) keep verifying. Without a kid, one is derived from the public key
     * ({@code imported-<sha256 prefix>}), so importing the same key twice gives the same kid. Importing a
     * key already held under that kid only makes it current; a different key under an existing kid is
     * refused. Returns the kid.
     */
    public static String importKey(Path dataDir, String pem, String kid) {
        byte[] pkcs8 = pkcs8(pem);
        SigningKey key = read(kid == null ? "(imported)" : kid, pkcs8);
        String name = kid != null ? kid : "imported-" + HexFormat.of().formatHex(sha256(key.publicKey().getEncoded()), 0, 8);
        if (!KID.matcher(name).matches()) {
            throw new IllegalArgumentException("not a key id: " + name + " (letters, digits, '.', '_', '-'; at most 100)");
        }
        Path dir = dataDir.resolve(DIRECTORY);
        try {
            Files.createDirectories(dir);
            restrict(dir, "rwx------");
            Path target = dir.resolve(name + ".pem");
            if (Files.exists(target)) {
                SigningKey held = read(name, Files.readString(target, StandardCharsets.US_ASCII));
                if (!held.publicKey().getModulus().equals(key.publicKey().getModulus())) {
                    throw new IllegalArgumentException("a different key is already stored as " + name + " in " + dir);
                }
            } else {
                writePem(dir, name, pkcs8);
            }
            Path temp = Files.createTempFile(dir, "current", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
            Files.writeString(temp, name);
            Files.move(temp, dir.resolve("current"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return name;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot import the key into " + dir, e);
        }
    }

    /** The DER of a PKCS#8 key from a PEM holding PKCS#1 or PKCS#8; refuses encrypted and other keys. */
    static byte[] pkcs8(String pem) {
        String text = pem.strip();
        if (text.contains("ENCRYPTED")) {
            throw new IllegalArgumentException("the PEM is encrypted; decrypt it first: openssl pkey -in OLD.pem -out plain.pem");
        }
        boolean pkcs1 = text.contains("-----BEGIN RSA PRIVATE KEY-----");
        if (!pkcs1 && !text.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException("not an RSA private key PEM (expected BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)");
        }
        String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PEM body is not base64");
        }
        if (!pkcs1) {
            return der;
        }
        // PKCS#8 PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier rsaEncryption NULL, OCTET STRING pkcs1 }
        byte[] version = {0x02, 0x01, 0x00};
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] octets = der(0x04, der);
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(version);
        body.writeBytes(algorithm);
        body.writeBytes(octets);
        return der(0x30, body.toByteArray());
    }

    /** A DER tag-length-value. */
    private static byte[] der(int tag, byte[] content) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes the key {@code kid} under {@code dataDir}; refuses the current key. */
    public static void remove(Path dataDir, String kid) {
        Path dir = dataDir.resolve(DIRECTORY);
        if (!KID.matcher(kid).matches()) {
            throw new IllegalArgumentException("not a key id: " + kid);
        }
        try {
            if (kid.equals(Files.readString(dir.resolve("current")).strip())) {
                throw new IllegalArgumentException(kid + " is the current signing key: rotate first");
            }
            if (!Files.deleteIfExists(dir.resolve(kid + ".pem"))) {
                throw new IllegalArgumentException("no signing key " + kid + " in " + dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + kid + " from " + dir, e);
        }
    }

    /** The key that signs new tokens. */
    public SigningKey current() {
        return fresh().current();
    }

    /** Every key (current included), oldest first. */
    public List<SigningKey> all() {
        return List.copyOf(fresh().keys().values());
    }

    /** The key {@code kid}, if this ring holds it. */
    public Optional<SigningKey> find(String kid) {
        return Optional.ofNullable(fresh().keys().get(kid));
    }

    private Snapshot fresh() {
        long now = System.nanoTime();
        if (now - checkedAt > recheckMillis * 1_000_000L && reloading.tryLock()) {
            try {
                String fingerprint = fingerprint();
                if (!fingerprint.equals(snapshot.fingerprint())) {
                    snapshot = load();
                }
                checkedAt = now;
            } catch (RuntimeException e) {
                java.util.logging.Logger.getLogger(KeyRing.class.getName())
                        .warning("signing keys not reloaded, keeping the previous set: " + e.getMessage());
                checkedAt = now;
            } finally {
                reloading.unlock();
            }
        }
        return snapshot;
    }

    private Snapshot load() {
        String fingerprint = fingerprint();
        try {
            String currentKid = Files.readString(dir.resolve("current")).strip();
            Map<String, SigningKey> keys = new LinkedHashMap<>();
            for (Path pem : pemFiles()) {
                String kid = pem.getFileName().toString().replaceFirst("\\.pem$", "");
                keys.put(kid, read(kid, Files.readString(pem, StandardCharsets.US_ASCII)));
            }
            SigningKey current = keys.get(currentKid);
            if (current == null) {
                throw new IllegalStateException(dir.resolve("current") + " names " + currentKid
                        + ", which has no .pem file");
            }
            return new Snapshot(fingerprint, current, keys);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the signing keys in " + dir, e);
        }
    }

    private List<Path> pemFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            // oldest first: by modification time, then name (kids start with a UTC time stamp)
            return files.filter(p -> p.getFileName().toString().endsWith(".pem"))
                    .sorted(java.util.Comparator.comparing(KeyRing::modified).thenComparing(Path::toString)).toList();
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String fingerprint() {
        try {
            List<String> parts = new ArrayList<>();
            for (Path pem : pemFiles()) {
                parts.add(pem.getFileName() + "@" + Files.getLastModifiedTime(pem).toMillis());
            }
            parts.add("current=" + Files.readString(dir.resolve("current")).strip());
            return String.join(",", parts);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static String writeNewKey(Path dir) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
            byte[] suffix = new byte[3];
            new SecureRandom().nextBytes(suffix);
            String kid = "auth-rs256-" + STAMP.format(Instant.now(Clock.systemUTC())) + "-" + HexFormat.of().formatHex(suffix);
            writePem(dir, kid, pkcs8);
            return kid;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an RSA key", e);
        }
    }

    /** Writes {@code dir/<kid>.pem} (PKCS#8, mode 0600) by an atomic rename. */
    private static void writePem(Path dir, String kid, byte[] pkcs8) throws IOException {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n";
        Path temp = Files.createTempFile(dir, "key", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
        Files.writeString(temp, pem, StandardCharsets.US_ASCII);
        Files.move(temp, dir.resolve(kid + ".pem"), StandardCopyOption.ATOMIC_MOVE);
    }

    private static SigningKey read(String kid, String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return read(kid, Base64.getDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("signing key " + kid + " is not a PKCS#8 RSA private key", e);
        }
    }

    private static SigningKey read(String kid, byte[] pkcs8) {
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            RSAPrivateKey privateKey = (RSAPrivateKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            if (!(privateKey instanceof RSAPrivateCrtKey crt)) {
                throw new IllegalStateException("signing key " + kid + " lacks its public exponent");
            }
            BigInteger e = crt.getPublicExponent();
            RSAPublicKey publicKey = (RSAPublicKey) rsa.generatePublic(new RSAPublicKeySpec(crt.getModulus(), e));
            return new SigningKey(kid, privateKey, publicKey);
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalStateException("signing key " + kid + " is not a PKCS#8 RSA private key", e);
        }
    }

    private static void restrict(Path path, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: nothing to set
        }
    }
}
