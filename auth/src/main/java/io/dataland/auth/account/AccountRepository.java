package io.dataland.auth.account;

import java.util.Optional;

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

    /** Swaps a verified legacy hash for {@code newHash}; false when another login already did. */
    public static boolean rehash(SqlSession session, long id, String oldHash, String newHash, String salt) {
        return session.getMapper(AccountMapper.class).rehash(id, oldHash, newHash, salt) == 1;
    }
}
