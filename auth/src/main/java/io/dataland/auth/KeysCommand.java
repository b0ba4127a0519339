package io.dataland.auth;

import java.io.PrintStream;
import java.nio.file.Path;

import io.dataland.auth.token.KeyRing;
import io.dataland.auth.token.SigningKey;
import io.dataland.kit.config.Settings;

/**
 * The key commands: {@code rotate-keys} adds a signing key and makes it current (running servers
 * pick it up within a second; the old public key stays in the JWKS), {@code remove-key KID} deletes an
 * old one once its tokens have expired, {@code list-keys} shows them, {@code import-key --pem FILE
 * [--kid KID]} makes an existing RSA key (the old auth server's) current under its old kid.
 */
final class KeysCommand {

    private KeysCommand() {
    }

    /** Runs {@code command}; returns the exit status. */
    static int run(String command, String[] args, Settings settings, PrintStream out, PrintStream err) {
        Path dataDir = AuthServer.dataDir(settings);
        try {
            DataDir.require(dataDir);
            switch (command) {
                case "import-key" -> {
                    String pem = null;
                    String kid = null;
                    for (int i = 0; i < args.length; i++) {
                        if (i + 1 < args.length && args[i].equals("--pem")) {
                            pem = args[++i];
                        } else if (i + 1 < args.length && args[i].equals("--kid")) {
                            kid = args[++i];
                        } else {
                            pem = null;
                            break;
                        }
                    }
                    if (pem == null) {
                        err.println("usage: auth import-key --pem FILE [--kid KID]");
                        return 2;
                    }
                    String text;
                    try {
                        text = java.nio.file.Files.readString(Path.of(pem), java.nio.charset.StandardCharsets.US_ASCII);
                    } catch (java.io.IOException e) {
                        err.println("import-key: cannot read " + pem + " (" + e.getClass().getSimpleName() + ")");
                        return 1;
                    }
                    String imported = KeyRing.importKey(dataDir, text, kid);
                    out.println("signing key " + imported + " imported and current in " + dataDir.resolve(KeyRing.DIRECTORY));
                }
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
