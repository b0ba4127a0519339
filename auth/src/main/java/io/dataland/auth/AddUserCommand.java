package io.dataland.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.auth.account.AccountRepository;
import io.dataland.auth.account.Credentials;
import io.dataland.auth.account.NewAccount;
import io.dataland.auth.password.PasswordHasher;
import io.dataland.auth.password.PasswordPolicy;
import io.dataland.kit.ServiceBoot;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.http.ApiException;
import io.dataland.kit.telemetry.Tracing;

/**
 * {@code add-user EMAIL}: creates an account when signup is closed. The password is read from the first
 * line of standard input, never from the command line (where {@code ps} and shell history would show it):
 * {@code docker exec -i dataland-auth java -Xmx384m -jar /app/auth.jar add-user staff@example.org < pw.txt}.
 */
final class AddUserCommand {

    private AddUserCommand() {
    }

    static int run(String command, String[] args, Settings settings, PrintStream out, PrintStream err) {
        return run(args, settings, System.in, out, err);
    }

    static int run(String[] args, Settings settings, InputStream in, PrintStream out, PrintStream err) {
        if (args.length != 1) {
            err.println("usage: auth add-user EMAIL   (the password on the first line of standard input)");
            return 2;
        }
        try (HikariDataSource dataSource = ServiceBoot.openPool("dataland-auth-cli", settings, CredentialGuard.Service.AUTH)) {
            String email = Credentials.normaliseEmail(args[0]);
            String password = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            if (password == null) {
                err.println("add-user: no password on standard input");
                return 2;
            }
            String problem = PasswordPolicy.problemForNew(password);
            if (problem != null) {
                err.println("add-user: " + problem);
                return 1;
            }
            AuthDatabase.bootstrap(dataSource);
            UnitOfWork db = AuthDatabase.unitOfWork(dataSource, Tracing.off());
            String sub = UUID.randomUUID().toString();
            NewAccount account = new NewAccount(sub, email, new PasswordHasher().hash(password),
                    PasswordHasher.ARGON2_SALT, null, "", null);
            if (!db.inTransaction(session -> AccountRepository.insert(session, account))) {
                err.println("add-user: an account with " + email + " already exists");
                return 1;
            }
            out.println("created " + email + " (sub " + sub + ")");
            return 0;
        } catch (ApiException e) {
            err.println("add-user: " + e.getMessage());
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("add-user: " + e.getMessage());
            return 1;
        }
    }
}
