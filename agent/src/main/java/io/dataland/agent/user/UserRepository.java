package io.dataland.agent.user;

import java.util.logging.Logger;

import io.dataland.kit.db.SqlErrors;
import io.dataland.kit.db.UnitOfWork;
import org.apache.ibatis.exceptions.PersistenceException;
import org.apache.ibatis.session.SqlSession;

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

    private UserRepository() {
    }

    /**
     * The row for {@code claims.sub()}, created on first sight, its profile columns refreshed where a
     * present claim differs. When the stored row already says what the claims say (the hot path: the
     * same token again) this is one plain SELECT: no row lock, no transaction id, no WAL. Otherwise one
     * upsert statement; see the e-mail rule above for an address held by another user: that case takes a
     * second unit of work, because the unique violation has aborted the first transaction.
     */
    public static User getOrCreate(UnitOfWork db, UserClaims claims) {
        // Why read first: INSERT ... ON CONFLICT DO UPDATE ... WHERE <nothing changed> writes nothing
        // visible, but it still locks the conflicting row (a WAL record) and takes a transaction id.
        User stored = db.read(session -> session.getMapper(UserMapper.class).findById(claims.sub()));
        if (stored != null && holds(stored, claims)) {
            return stored;
        }
        try {
            return db.inTransaction(session -> upsert(session, claims));
        } catch (PersistenceException e) {
            if (claims.email() == null || !SqlErrors.isUniqueViolation(e, EMAIL_INDEX)) {
                throw e;
            }
            LOG.info(() -> "user " + claims.sub() + " presented an e-mail address another user holds; stored without it");
            return db.inTransaction(session -> upsert(session, claims.withoutEmail()));
        }
    }

    /** Whether {@code user} already holds every present claim (an absent claim keeps the column). */
    static boolean holds(User user, UserClaims claims) {
        return keeps(claims.email(), user.email())
                && keeps(claims.fullName(), user.fullName())
                && keeps(claims.location(), user.location())
                && keeps(claims.profilePhotoUrl(), user.profilePhotoUrl())
                && (claims.joinedDate() == null
                    || user.joinedDate() != null && claims.joinedDate().isEqual(user.joinedDate()))
                && keeps(claims.accessPermissions(), user.accessPermissions())
                && keeps(claims.stripeCustomerId(), user.stripeCustomerId());
    }

    private static boolean keeps(String claim, String stored) {
        return claim == null || claim.equals(stored);
    }

    /** Inserts or refreshes the row for {@code claims.sub()}; the unique e-mail index may refuse it. */
    static User upsert(SqlSession session, UserClaims claims) {
        UserMapper users = session.getMapper(UserMapper.class);
        User user = users.upsert(claims);
        return user != null ? user : users.findById(claims.sub());
    }
}
