package io.dataland.auth.account;

import java.util.Optional;

import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;

/** Reads and writes accounts; one {@link SqlSession} per call, which is the unit of work. */
public final class AccountStore {

    private final SqlSessionFactory sessions;

    /** A store over {@code sessions}. */
    public AccountStore(SqlSessionFactory sessions) {
        this.sessions = sessions;
    }

    /** The account with {@code email} (already normalised). */
    public Optional<Account> findByEmail(String email) {
        try (SqlSession session = sessions.openSession()) {
            return Optional.ofNullable(session.getMapper(AccountMapper.class).findByEmail(email));
        }
    }

    /** The account with {@code sub}. */
    public Optional<Account> findBySub(String sub) {
        try (SqlSession session = sessions.openSession()) {
            return Optional.ofNullable(session.getMapper(AccountMapper.class).findBySub(sub));
        }
    }

    /** Inserts {@code account}; false when its email is taken. */
    public boolean insert(NewAccount account) {
        try (SqlSession session = sessions.openSession()) {
            int rows = session.getMapper(AccountMapper.class).insert(account);
            session.commit();
            return rows == 1;
        }
    }

    /** Swaps a verified legacy hash for {@code newHash}; false when another login already did. */
    public boolean rehash(long id, String oldHash, String newHash, String salt) {
        try (SqlSession session = sessions.openSession()) {
            int rows = session.getMapper(AccountMapper.class).rehash(id, oldHash, newHash, salt);
            session.commit();
            return rows == 1;
        }
    }
}
