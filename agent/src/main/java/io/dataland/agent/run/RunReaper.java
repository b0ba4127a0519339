package io.dataland.agent.run;

import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.dataland.kit.db.AdvisoryLocks;
import io.dataland.kit.db.UnitOfWork;

/**
 * Closes runs a process left open when it died (kill -9, OOM, power loss) as {@code error}
 * "interrupted": at boot and then every {@link #EVERY}, on whichever replica gets the advisory lock.
 *
 * <p>Which runs are orphans: those open for longer than {@code olderThan}, which is the model's total
 * timeout plus the pool timeout plus a margin. A live replica can never hold a run that long: the model
 * call is bounded by the total timeout, the close that follows by the pool timeout, and when the database
 * was away at that moment the close is retried within a fraction of a second of its return (before any
 * reaper, which needs the database too, can run). So the age alone separates a dead process's runs from a
 * live one's, with no schema change (no owner or heartbeat column) and nothing to keep alive.
 */
public final class RunReaper implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RunReaper.class.getName());
    /** How often a running agent looks for orphans. */
    static final Duration EVERY = Duration.ofSeconds(60);
    /** Added to the model and pool timeouts before a run counts as orphaned. */
    public static final Duration MARGIN = Duration.ofSeconds(60);

    private final UnitOfWork db;
    private final Duration olderThan;
    private volatile Thread loop;

    /** A reaper over {@code db} closing runs open for longer than {@code olderThan}. */
    public RunReaper(UnitOfWork db, Duration olderThan) {
        this.db = db;
        this.olderThan = olderThan;
    }

    /** The orphan age for a model total timeout and a pool timeout. */
    public static Duration orphanAge(Duration modelTimeout, Duration poolTimeout) {
        return modelTimeout.plus(poolTimeout).plus(MARGIN);
    }

    /** Closes the orphans now; returns how many (0 when another replica holds the lock). */
    public int reapOnce() {
        int closed = db.inTransaction(session -> {
            RunMapper runs = session.getMapper(RunMapper.class);
            if (!runs.tryReaperLock(AdvisoryLocks.RUN_REAPER)) {
                return 0;
            }
            return runs.closeOrphans("interrupted", olderThan.toMillis() / 1000.0);
        });
        if (closed > 0) {
            LOG.warning(() -> "closed " + closed + " run(s) left open by a process that died (older than "
                    + olderThan.toSeconds() + " s) as error 'interrupted'");
        }
        return closed;
    }

    /** Reaps at once, then every {@link #EVERY} until {@link #close}; a failed round is logged and retried. */
    public RunReaper start() {
        // the first round runs before the agent serves: a dead process's runs are closed by the boot
        reapLogged();
        loop = Thread.ofVirtual().name("run-reaper").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(EVERY);
                } catch (InterruptedException e) {
                    return;
                }
                reapLogged();
            }
        });
        return this;
    }

    private void reapLogged() {
        try {
            reapOnce();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "run reaper round failed (retried in " + EVERY.toSeconds() + " s)", e);
        }
    }

    @Override
    public void close() {
        Thread running = loop;
        if (running != null) {
            running.interrupt();
        }
    }
}
