package io.dataland.auth;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.auth.account.AccountRepository;
import io.dataland.auth.account.LegacyRow;
import io.dataland.auth.password.LibArgon2;
import io.dataland.auth.password.PasswordHasher;
import io.dataland.kit.ServiceBoot;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.Settings;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.telemetry.Tracing;

/**
 * {@code wrap-legacy-hashes [--batch N]}: replaces every plain legacy {@code sha256(salt + password)} row
 * by an Argon2id hash of that sha256 value ({@link PasswordHasher#wrapLegacy}), so the rows still waiting
 * for their owner's next login are no longer one cheap sha256 per guess. The login path verifies a wrapped
 * row and re-hashes it plainly on success.
 *
 * <p>Safe while the service serves: rows are read {@code N} at a time in id order, hashed outside any
 * transaction (one at a time: one 64 MiB Argon2id), and each batch is written in one short transaction
 * where every update is a compare-and-set on the legacy hash just read ({@code WHERE hash = old}); a row a
 * login re-hashed meanwhile is left alone and counted. Idempotent: a second run finds no legacy row.
 * Prints counts, never a hash.
 */
final class WrapLegacyCommand {

    static final int DEFAULT_BATCH = 100;

    private WrapLegacyCommand() {
    }

    /** What a run did. */
    record Result(int wrapped, int changedMeanwhile) {
    }

    static int run(String command, String[] args, Settings settings, PrintStream out, PrintStream err) {
        int batch = DEFAULT_BATCH;
        if (args.length == 2 && args[0].equals("--batch") && args[1].matches("[0-9]{1,5}")
                && Integer.parseInt(args[1]) >= 1) {
            batch = Integer.parseInt(args[1]);
        } else if (args.length != 0) {
            err.println("usage: auth wrap-legacy-hashes [--batch N]   (N from 1 to 99999, default " + DEFAULT_BATCH + ")");
            return 2;
        }
        try (HikariDataSource dataSource = ServiceBoot.openPool("dataland-auth-cli", settings, CredentialGuard.Service.AUTH)) {
            AuthDatabase.bootstrap(dataSource);
            UnitOfWork db = AuthDatabase.unitOfWork(dataSource, Tracing.off());
            PasswordHasher hasher = new PasswordHasher(PasswordHasher.select(settings.require("ARGON2_IMPL"),
                    LibArgon2.CANDIDATES));
            Result result = wrapAll(db, hasher::wrapLegacy, batch, out);
            long wrappedRows = db.read(AccountRepository::countWrapped);
            out.printf("wrap-legacy-hashes: %d legacy rows wrapped, %d changed meanwhile (left alone), %d wrapped rows"
                    + " waiting for their owner's next login%n", result.wrapped(), result.changedMeanwhile(), wrappedRows);
            return 0;
        } catch (RuntimeException e) {
            err.println("wrap-legacy-hashes: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Wraps every plain legacy row with {@code wrap} (the hasher's; tests slip a login in), {@code batch} at
     * a time, one progress line per batch on {@code out}.
     */
    static Result wrapAll(UnitOfWork db, UnaryOperator<String> wrap, int batch, PrintStream out) {
        int wrapped = 0;
        int changed = 0;
        long after = 0;
        while (true) {
            long from = after;
            List<LegacyRow> rows = db.read(session -> AccountRepository.legacyAfter(session, from, batch));
            if (rows.isEmpty()) {
                return new Result(wrapped, changed);
            }
            List<String> hashes = new ArrayList<>();
            for (LegacyRow row : rows) {
                hashes.add(wrap.apply(row.hash())); // no transaction (and no lock) held while hashing
            }
            int written = db.inTransaction(session -> {
                int n = 0;
                for (int i = 0; i < rows.size(); i++) {
                    LegacyRow row = rows.get(i);
                    if (AccountRepository.rehash(session, row.id(), row.hash(), hashes.get(i), row.salt())) {
                        n++;
                    }
                }
                return n;
            });
            wrapped += written;
            changed += rows.size() - written;
            after = rows.getLast().id();
            out.printf("batch of %d: %d wrapped, %d changed meanwhile%n", rows.size(), written, rows.size() - written);
        }
    }
}
