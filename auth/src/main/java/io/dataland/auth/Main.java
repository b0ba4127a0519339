package io.dataland.auth;

import io.dataland.kit.ServiceMain;
import io.dataland.kit.config.CredentialGuard;

/**
 * The auth's command line: {@code serve} (the default) and the operator commands.
 *
 * <pre>
 * java -jar auth.jar [serve]                       boot: guard, pool, schema, server
 * java -jar auth.jar check-env --env-file PATH     the credential guard against an env file (exit 0/1)
 * java -jar auth.jar rotate-keys                    add a signing key to AUTH_DATA_DIR and make it current
 * java -jar auth.jar remove-key KID                 delete an old signing key (never the current one)
 * java -jar auth.jar import-key --pem FILE [--kid KID]  make an existing RSA key (PKCS#1/#8 PEM) the current one
 * java -jar auth.jar list-keys                      the key ids in AUTH_DATA_DIR, current one marked
 * java -jar auth.jar db-stats [--limit N]            top tables by live row count (pg_stat_user_tables)
 * java -jar auth.jar add-user EMAIL &lt; password       create an account (signup closed); password from stdin
 * java -jar auth.jar wrap-legacy-hashes [--batch N]  wrap legacy sha256 rows in Argon2id (counts only)
 * </pre>
 */
public final class Main {

    private Main() {
    }

    /** Entry point. */
    public static void main(String[] args) {
        ServiceMain.of("auth", CredentialGuard.Service.AUTH, AuthServer::start)
                .command("rotate-keys", "rotate-keys", KeysCommand::run)
                .command("remove-key", "remove-key KID", KeysCommand::run)
                .command("list-keys", "list-keys", KeysCommand::run)
                .command("add-user", "add-user EMAIL  (password on stdin)", AddUserCommand::run)
                .command("wrap-legacy-hashes", "wrap-legacy-hashes [--batch N]", WrapLegacyCommand::run)
                .command("import-key", "import-key --pem FILE [--kid KID]", KeysCommand::run)
                .refusal(DataDir.UnusableException.class)
                .main(args);
    }
}
