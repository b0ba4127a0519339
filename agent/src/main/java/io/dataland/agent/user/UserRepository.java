package io.dataland.agent.user;

import java.util.Optional;
import java.util.logging.Logger;

import io.dataland.agent.store.SqlErrors;
import io.dataland.agent.store.Store;
import org.apache.ibatis.exceptions.PersistenceException;

/**
 * Reads and writes {@code users}: the get-or-create that runs on every authenticated request.
 *
 * <h2>E-mail rule</h2>
 * {@code lower(email)} is unique (V4). An address belongs to the first user that presented it. When a
 * token for another {@code sub} presents an address some other row already holds, the request still
 * succeeds: that user's row is written with every other claim, and its {@code email} column keeps what it
 * had ({@code NULL} for a new row). The address is never moved from one user to another by a login; V4
 * applies the same rule to rows that shared an address before the index existed (the oldest keeps it).
 */
public final class UserRepository {

    private static final Logger LOG = Logger.getLogger(UserRepository.class.getName());
    /** The V4 index that enforces the e-mail rule. */
    static final String EMAIL_INDEX = "users_email_lower_uniq";

    private final Store store;

    /** A repository over {@code store}. */
    public UserRepository(Store store) {
        this.store = store;
    }

    /**
     * The row for {@code claims.sub()}, created on first sight, its profile columns refreshed where a
     * present claim differs (one statement when nothing changed or the row is new). See the e-mail rule
     * above for an address held by another user.
     */
    public User getOrCreate(UserClaims claims) {
        try {
            return upsert(claims);
        } catch (PersistenceException e) {
            if (claims.email() == null || !SqlErrors.isUniqueViolation(e, EMAIL_INDEX)) {
                throw e;
            }
            LOG.info(() -> "user " + claims.sub() + " presented an e-mail address another user holds; stored without it");
            return upsert(claims.withoutEmail());
        }
    }

    /** The row for {@code id}, if any. */
    public Optional<User> find(String id) {
        return Optional.ofNullable(store.read(s -> s.getMapper(UserMapper.class).findById(id)));
    }

    private User upsert(UserClaims claims) {
        return store.inTransaction(session -> {
            UserMapper users = session.getMapper(UserMapper.class);
            User user = users.upsert(claims);
            return user != null ? user : users.findById(claims.sub());
        });
    }
}
