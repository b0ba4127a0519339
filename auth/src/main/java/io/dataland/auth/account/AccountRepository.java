package io.dataland.auth.account;

import java.util.List;
import java.util.Optional;

import io.dataland.auth.password.PasswordHasher;
import org.apache.ibatis.session.SqlSession;

/** Reads and writes accounts inside the caller's unit of work. */
public final class AccountRepository {

    private AccountRepository() {
    }

    /** The account with {@code email} (already normalised). */
    public static Optional<Account> findByEmail(SqlSession session, String email) {
        return Optional.ofNullable(session.getMapper(AccountMapper.class).findByEmail(email));
    }

    /** The account with {@code sub}. */
    public static Optional<Account> findBySub(SqlSession session, String sub) {
        return Optional.ofNullable(session.getMapper(AccountMapper.class).findBySub(sub));
    }

    /** Inserts {@code account}; false when its email is taken. */
    public static boolean insert(SqlSession session, NewAccount account) {
        return session.getMapper(AccountMapper.class).insert(account) == 1;
    }

    /** Up to {@code limit} plain legacy sha256 rows with an id above {@code afterId}, in id order. */
    public static List<LegacyRow> legacyAfter(SqlSession session, long afterId, int limit) {
        return session.getMapper(AccountMapper.class).legacyAfter(afterId, limit);
    }

    /** How many rows hold a hash wrapped by {@code wrap-legacy-hashes}. */
    public static long countWrapped(SqlSession session) {
        return session.getMapper(AccountMapper.class).countHashesLike(PasswordHasher.WRAPPED_PREFIX + "$%");
    }

    /**
     * Swaps {@code oldHash} (a verified legacy hash, or one the wrap read) for {@code newHash}; false when
     * the row no longer holds {@code oldHash} (another login or the wrap got there first).
     */
    public static boolean rehash(SqlSession session, long id, String oldHash, String newHash, String salt) {
        return session.getMapper(AccountMapper.class).rehash(id, oldHash, newHash, salt) == 1;
    }
}
