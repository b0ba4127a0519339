package io.dataland.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.dataland.auth.jwks.ExtraJwks;
import io.dataland.auth.token.KeyRing;

/**
 * Checks, before anything else boots, that this process can use {@code AUTH_DATA_DIR}: the folder and
 * {@code signing-keys/} writable, every file in them readable. The usual failure is a volume reused from
 * another stack (the Python auth ran as root) mounted into the non-root image (uid 10001): without this
 * check the boot dies on an {@code AccessDeniedException} deep in the key code and compose never starts
 * the agent. With it the log says which path, who owns it, who we are, and the one command that fixes it.
 *
 * <p>The decision uses the owner/group/mode bits against the process's uid and gid (read from
 * {@code /proc/self}); uid 0 passes everything, as it does in the kernel.
 */
public final class DataDir {

    /** Thrown when the data folder cannot be used; its message names the fix (logged alone, no trace). */
    public static final class UnusableException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        UnusableException(String message) {
            super(message);
        }
    }

    private DataDir() {
    }

    /** Checks {@code dataDir} for this process; does nothing where uid/gid cannot be known (not Linux). */
    public static void require(Path dataDir) {
        Integer uid = attribute(Path.of("/proc/self"), "unix:uid");
        Integer gid = attribute(Path.of("/proc/self"), "unix:gid");
        if (uid != null && gid != null) {
            require(dataDir, uid, gid);
        }
    }

    /** Checks {@code dataDir} as if this process ran as {@code uid}:{@code gid}. */
    static void require(Path dataDir, int uid, int gid) {
        if (uid == 0) {
            return;
        }
        if (!Files.exists(dataDir)) {
            Path parent = dataDir.getParent();
            if (parent != null && Files.isDirectory(parent) && !allowed(parent, uid, gid, true)) {
                throw unusable(dataDir, List.of(describe(parent, "cannot create " + dataDir.getFileName() + " in")), uid, gid);
            }
            return; // KeyRing creates it
        }
        List<String> problems = new ArrayList<>();
        check(dataDir, uid, gid, problems);
        Path keys = dataDir.resolve(KeyRing.DIRECTORY);
        if (Files.isDirectory(keys) && problems.isEmpty()) {
            check(keys, uid, gid, problems);
            if (problems.isEmpty()) {
                try (Stream<Path> files = Files.list(keys)) {
                    files.forEach(file -> check(file, uid, gid, problems));
                } catch (IOException e) {
                    problems.add(keys + " cannot be listed (" + e.getClass().getSimpleName() + ")");
                }
            }
        }
        Path extra = dataDir.resolve(ExtraJwks.FILE);
        if (Files.exists(extra) && problems.isEmpty()) {
            check(extra, uid, gid, problems);
        }
        if (!problems.isEmpty()) {
            throw unusable(dataDir, problems, uid, gid);
        }
    }

    private static void check(Path path, int uid, int gid, List<String> problems) {
        boolean directory = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
        if (!allowed(path, uid, gid, directory)) {
            problems.add(describe(path, directory ? "cannot write" : "cannot read"));
        }
    }

    /** Directories need read, write and search; files need read (the ring replaces them by rename). */
    private static boolean allowed(Path path, int uid, int gid, boolean directory) {
        Set<PosixFilePermission> mode;
        Integer owner = attribute(path, "unix:uid");
        Integer group = attribute(path, "unix:gid");
        try {
            mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return true; // nothing to judge by: let the real access decide
        }
        if (owner == null || group == null) {
            return true;
        }
        String who = owner == uid ? "OWNER" : group == gid ? "GROUP" : "OTHERS";
        boolean read = mode.contains(PosixFilePermission.valueOf(who + "_READ"));
        boolean write = mode.contains(PosixFilePermission.valueOf(who + "_WRITE"));
        boolean search = mode.contains(PosixFilePermission.valueOf(who + "_EXECUTE"));
        return directory ? read && write && search : read;
    }

    private static String describe(Path path, String what) {
        Integer owner = attribute(path, "unix:uid");
        Integer group = attribute(path, "unix:gid");
        String mode;
        try {
            mode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            mode = "?";
        }
        return what + " " + path + " (owner " + owner + ":" + group + ", mode " + mode + ")";
    }

    private static UnusableException unusable(Path dataDir, List<String> problems, int uid, int gid) {
        return new UnusableException("AUTH_DATA_DIR " + dataDir + " is not usable by this process (uid " + uid + ", gid " + gid
                + "): " + String.join("; ", problems) + ". It is probably a volume written by another stack (the Python"
                + " auth ran as root). Fix it once, with the services stopped: docker run --rm -v <auth-data volume>:" + dataDir
                + " alpine chown -R " + uid + ":" + gid + " " + dataDir + "  (see docs/cutover.md)");
    }

    private static Integer attribute(Path path, String name) {
        try {
            return (Integer) Files.getAttribute(path, name, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return null;
        }
    }
}
