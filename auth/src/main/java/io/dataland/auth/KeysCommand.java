package io.dataland.auth;

import java.io.PrintStream;
import java.nio.file.Path;

import io.dataland.auth.token.KeyRing;
import io.dataland.auth.token.SigningKey;
import io.dataland.kit.config.Settings;

/**
 * The key commands: {@code rotate-keys} adds a signing key and makes it current (running servers
 * pick it up within a second; the old public key stays in the JWKS), {@code remove-key KID} deletes an
 * old one once its tokens have expired, {@code list-keys} shows them.
 */
final class KeysCommand {

    private KeysCommand() {
    }

    /** Runs {@code command}; returns the exit status. */
    static int run(String command, String[] args, Settings settings, PrintStream out, PrintStream err) {
        Path dataDir = AuthServer.dataDir(settings);
        try {
            switch (command) {
                case "rotate-keys" -> {
                    KeyRing.open(dataDir, 0); // first key if none yet, so rotation always leaves two
                    out.println("new signing key " + KeyRing.rotate(dataDir) + " in " + dataDir.resolve(KeyRing.DIRECTORY));
                }
                case "remove-key" -> {
                    if (args.length != 1) {
                        err.println("usage: auth remove-key KID");
                        return 2;
                    }
                    KeyRing.remove(dataDir, args[0]);
                    out.println("removed signing key " + args[0]);
                }
                default -> {
                    KeyRing ring = KeyRing.open(dataDir, 0);
                    String current = ring.current().kid();
                    for (SigningKey key : ring.all()) {
                        out.println(key.kid() + (key.kid().equals(current) ? "  (current)" : ""));
                    }
                }
            }
            return 0;
        } catch (RuntimeException e) {
            err.println(command + ": " + e.getMessage());
            return 1;
        }
    }
}
