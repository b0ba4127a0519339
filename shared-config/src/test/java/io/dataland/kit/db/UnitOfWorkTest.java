package io.dataland.kit.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.dataland.kit.ServiceBoot;
import io.dataland.kit.config.CredentialGuard;
import io.dataland.kit.config.Settings;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;

/**
 * A unit of work is all or nothing, whatever kind of statement wrote and whatever kind of exception
 * ended it. The first case is the one MyBatis gets wrong on its own: an INSERT ... RETURNING mapped as a
 * {@code <select>} does not mark the session dirty, so {@code SqlSession.close()} skips the rollback and
 * the JDBC transaction's reset to auto-commit then commits the insert.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class UnitOfWorkTest {

    private HikariDataSource pool;
    private UnitOfWork db;

    @BeforeEach
    void open(TestDatabase database) throws Exception {
        try (Connection c = database.connect()) {
            c.createStatement().execute("DROP TABLE IF EXISTS uow_notes");
            c.createStatement().execute("CREATE TABLE uow_notes (id bigserial PRIMARY KEY, note text NOT NULL)");
        }
        pool = ServiceBoot.openPool("uow-test", Settings.load(Map.of("DATABASE_URL", database.databaseUrl(),
                "DB_POOL_SIZE", "1", "DB_MAX_OVERFLOW", "0"), "kit-defaults.yaml"), CredentialGuard.Service.AGENT);
        db = new UnitOfWork(MyBatis.sessionFactory("test", pool, List.of(NoteMapper.class), List.of()));
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void selectMappedInsertThenJavaExceptionLeavesNothingBehind() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> db.inTransaction(session -> {
            session.getMapper(NoteMapper.class).insertReturning("half a unit of work");
            throw new IllegalStateException("the turn failed after its first write");
        }));
        assertEquals("the turn failed after its first write", thrown.getMessage());
        assertEquals(0L, count());
    }

    @Test
    void insertMappedWriteThenJavaExceptionLeavesNothingBehind() {
        assertThrows(IllegalStateException.class, () -> db.inTransaction(session -> {
            session.getMapper(NoteMapper.class).insert("dirty session");
            throw new IllegalStateException("boom");
        }));
        assertEquals(0L, count());
    }

    @Test
    void failedStatementRollsBackEarlierWritesAndThePooledConnectionIsClean() {
        assertThrows(RuntimeException.class, () -> db.inTransaction(session -> {
            session.getMapper(NoteMapper.class).insertReturning("before the failure");
            return session.getMapper(NoteMapper.class).insertReturning(null); // NOT NULL violation
        }));
        assertEquals(0L, count());
        // the one pooled connection is usable again and commits normally
        long id = db.inTransaction(session -> session.getMapper(NoteMapper.class).insertReturning("after"));
        assertEquals(1L, count());
        assertEquals(true, id > 0);
    }

    @Test
    void readSeesCommittedWork() {
        db.inTransaction(session -> session.getMapper(NoteMapper.class).insertReturning("kept"));
        assertEquals(1L, count());
    }

    @Test
    void readRunsEachStatementInItsOwnTransactionAndLeavesThePooledConnectionForUnitsOfWork() {
        // a read sends no BEGIN/COMMIT: the second statement is not inside a block the first one opened
        assertEquals(false, db.read(session -> {
            NoteMapper notes = session.getMapper(NoteMapper.class);
            return notes.transactionId().equals(notes.transactionId());
        }));
        // the contrast, so the check above can fail: inside a unit of work the block spans both statements
        assertEquals(true, db.inTransaction(session -> {
            NoteMapper notes = session.getMapper(NoteMapper.class);
            return notes.transactionId().equals(notes.transactionId());
        }));
        // the pool's one connection still gives units of work their all-or-nothing after a read
        assertThrows(IllegalStateException.class, () -> db.inTransaction(session -> {
            session.getMapper(NoteMapper.class).insertReturning("after a read");
            throw new IllegalStateException("boom");
        }));
        assertEquals(0L, count());
    }

    private long count() {
        return db.read(session -> session.getMapper(NoteMapper.class).count());
    }
}
