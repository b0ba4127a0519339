package io.dataland.auth.account;

import java.util.Optional;
import java.util.UUID;

import io.dataland.auth.password.HashBulkhead;
import io.dataland.auth.password.PasswordHasher;
import io.dataland.auth.password.PasswordPolicy;
import io.dataland.auth.throttle.LoginThrottle;
import io.dataland.auth.token.Tokens;
import io.dataland.kit.db.UnitOfWork;
import io.dataland.kit.http.ApiException;
import io.dataland.kit.http.Text;
import io.helidon.http.Status;

/**
 * Signup and login, shared by the JSON API and the staff forms: validation, the brute-force throttle,
 * hashing inside the bulkhead, the legacy re-hash, and the token.
 */
public final class Authenticator {

    private final UnitOfWork db;
    private final PasswordHasher hasher;
    private final HashBulkhead bulkhead;
    private final LoginThrottle throttle;
    private final Tokens tokens;

    /** Wires the parts. */
    public Authenticator(UnitOfWork db, PasswordHasher hasher, HashBulkhead bulkhead, LoginThrottle throttle,
                         Tokens tokens) {
        this.db = db;
        this.hasher = hasher;
        this.bulkhead = bulkhead;
        this.throttle = throttle;
        this.tokens = tokens;
    }

    /** A signup request (profile fields may be null). */
    public record Signup(String email, String password, String fullName, String location, String profilePhotoUrl) {
        @Override
        public String toString() {
            return "Signup[" + email + "]";
        }
    }

    /** A signed-in account and its token. */
    public record SignedIn(String sub, String email, Tokens.Issued token) {
    }

    /** Creates the account; 400 on bad input, 409 {@code email_taken}, 503 when hashing is saturated. */
    public SignedIn signup(Signup request) {
        String email = Credentials.normaliseEmail(request.email());
        Text.checked("password", request.password());
        String problem = PasswordPolicy.problemForNew(request.password());
        if (problem != null) {
            throw ApiException.badRequest("weak_password", problem);
        }
        String fullName = Credentials.profile("full_name", request.fullName());
        String location = Credentials.profile("location", request.location());
        String photo = Credentials.profile("profile_photo_url", request.profilePhotoUrl());
        if (db.read(session -> AccountRepository.findByEmail(session, email)).isPresent()) {
            throw emailTaken();
        }
        String hash = bulkhead.run(() -> hasher.hash(request.password()));
        String sub = UUID.randomUUID().toString();
        NewAccount account = new NewAccount(sub, email, hash, PasswordHasher.ARGON2_SALT, fullName,
                location == null ? "" : location, photo);
        if (!db.inTransaction(session -> AccountRepository.insert(session, account))) {
            throw emailTaken();
        }
        return new SignedIn(sub, email, tokens.issue(sub, email));
    }

    /**
     * Checks the credentials; 401 {@code invalid_credentials} for an unknown email and a wrong password
     * alike (same body, same hashing work), 429 while locked, 503 when hashing is saturated.
     */
    public SignedIn login(String rawEmail, String password, String address) {
        Text.checked("password", password);
        String email = Credentials.normaliseEmail(rawEmail);
        String problem = PasswordPolicy.problemForAny(password);
        if (problem != null) {
            throw ApiException.badRequest("invalid_password", problem);
        }
        throttle.attempt(email, address);
        Optional<Account> found = db.read(session -> AccountRepository.findByEmail(session, email));
        Verified verified;
        try {
            verified = bulkhead.run(() -> verify(found, password));
        } catch (ApiException busy) {
            throttle.notJudged(email, address);
            throw busy;
        }
        if (!verified.match()) {
            // the attempt stays counted: it was counted before hashing
            throw new ApiException(Status.UNAUTHORIZED_401, "invalid_credentials", "email or password is wrong");
        }
        Account account = found.orElseThrow();
        if (verified.newHash() != null) {
            db.inTransaction(session -> AccountRepository.rehash(session, account.id(), account.hash(),
                    verified.newHash(), PasswordHasher.ARGON2_SALT));
        }
        throttle.succeeded(email, address);
        return new SignedIn(account.sub(), account.email(), tokens.issue(account.sub(), account.email()));
    }

    /** The account a token's {@code sub} names. */
    public Optional<Account> account(String sub) {
        return db.read(session -> AccountRepository.findBySub(session, sub));
    }

    private record Verified(boolean match, String newHash) {
    }

    /** One verification (and, for a legacy match, its Argon2id replacement) inside one bulkhead slot. */
    private Verified verify(Optional<Account> found, String password) {
        if (found.isEmpty()) {
            hasher.verifyDummy(password);
            return new Verified(false, null);
        }
        return switch (hasher.verify(password, found.get().hash(), found.get().salt())) {
            case MISMATCH -> new Verified(false, null);
            case MATCH -> new Verified(true, null);
            case MATCH_LEGACY -> new Verified(true, hasher.hash(password));
        };
    }

    private static ApiException emailTaken() {
        return new ApiException(Status.CONFLICT_409, "email_taken", "an account with this email already exists");
    }
}
