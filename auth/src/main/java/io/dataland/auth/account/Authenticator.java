package io.dataland.auth.account;

import java.util.Optional;
import java.util.UUID;

import io.dataland.auth.password.HashBulkhead;
import io.dataland.auth.password.HashBulkhead.Lane;
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
 * hashing inside the bulkhead (logins in its login lane, signups and password changes in its signup
 * lane, so a signup flood cannot starve logins), the legacy re-hash, and the token.
 */
public final class Authenticator {

    private final UnitOfWork db;
    private final PasswordHasher hasher;
    private final HashBulkhead bulkhead;
    private final LoginThrottle throttle;
    private final Tokens tokens;
    private final SignupGate gate;

    /** Wires the parts. */
    public Authenticator(UnitOfWork db, PasswordHasher hasher, HashBulkhead bulkhead, LoginThrottle throttle,
                         Tokens tokens, SignupGate gate) {
        this.db = db;
        this.hasher = hasher;
        this.bulkhead = bulkhead;
        this.throttle = throttle;
        this.tokens = tokens;
        this.gate = gate;
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

    /**
     * Creates the account for a signup from {@code address}: 403 when the signup mode refuses it, 429
     * over the signup limits (both before anything is looked up), 400 on bad input, 409
     * {@code email_taken}, 503 when hashing is saturated.
     */
    public SignedIn signup(Signup request, String address) {
        gate.admit(address);
        String email = Credentials.normaliseEmail(request.email());
        gate.checkDomain(email);
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
        String hash = bulkhead.run(Lane.SIGNUP, () -> hasher.hash(request.password()));
        String sub = UUID.randomUUID().toString();
        // location is NOT NULL DEFAULT '' (the original's column): no location is '', shown as null (AccountView)
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
            verified = bulkhead.run(Lane.LOGIN, () -> verify(found, password));
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

    /**
     * Replaces the password of the account {@code sub} names after checking {@code currentPassword}: the
     * attempt is counted by the throttle like a login (a stolen token cannot guess the password faster),
     * 401 {@code invalid_credentials} when it is wrong, 400 {@code weak_password} for a weak new one. The
     * write is a compare-and-set on the hash just verified, so of two racing changes one wins and the
     * other is told to retry (409 {@code password_changed}). Tokens already issued stay valid until their
     * {@code exp} (they are stateless); the TTL bounds that.
     */
    public void changePassword(String sub, String currentPassword, String newPassword, String address) {
        Text.checked("current_password", currentPassword);
        Text.checked("new_password", newPassword);
        if (PasswordPolicy.problemForAny(currentPassword) != null) {
            // as at login: a current password over the byte cap cannot be right, and is never hashed
            throw ApiException.badRequest("invalid_password", PasswordPolicy.problemForAny(currentPassword));
        }
        String problem = PasswordPolicy.problemForNew(newPassword);
        if (problem != null) {
            throw ApiException.badRequest("weak_password", problem);
        }
        Account account = account(sub).orElseThrow(() ->
                new ApiException(Status.UNAUTHORIZED_401, "unauthorized", "the token's account no longer exists"));
        throttle.attempt(account.email(), address);
        String newHash;
        try {
            // the signup lane: two hashes (verify, then the new one) that must not take the logins' share
            newHash = bulkhead.run(Lane.SIGNUP, () -> verify(Optional.of(account), currentPassword).match()
                    ? hasher.hash(newPassword) : null);
        } catch (ApiException busy) {
            throttle.notJudged(account.email(), address);
            throw busy;
        }
        if (newHash == null) {
            throw new ApiException(Status.UNAUTHORIZED_401, "invalid_credentials", "the current password is wrong");
        }
        throttle.succeeded(account.email(), address);
        if (!db.inTransaction(session -> AccountRepository.rehash(session, account.id(), account.hash(), newHash,
                PasswordHasher.ARGON2_SALT))) {
            throw new ApiException(Status.CONFLICT_409, "password_changed",
                    "the password was changed meanwhile; sign in again");
        }
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
