package io.parley.eventstore.h2;

import org.h2.engine.Database;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Group commit for an H2 file database: a transaction's commit returns only once its changes are written to the
 * file, and one write serves every transaction that committed while the previous write ran.
 * <p>
 * H2 with {@code WRITE_DELAY=0} writes a chunk (every changed page, up to the root of each changed table and index)
 * on every commit, serially: under load most of the server's CPU went there (docs/benchmark.md). With the default
 * write delay H2 commits in memory and writes in the background, which is fast but would acknowledge a message a
 * killed process then loses. Here commits go to memory, and the committing thread then waits for this class's
 * writer thread to call {@link MVStore#commit()}, which writes everything committed so far in one chunk. A waiter's
 * ticket is taken after its commit, and the writer starts a write only after reading the newest ticket, so every
 * ticket it releases belongs to a commit that write contains. Under no load a commit costs one write, as before;
 * under load, one write covers all commits that arrived during the previous one.
 * <p>
 * This is the same durability as {@code WRITE_DELAY=0}: the data is in the operating system when the commit
 * returns (a killed process loses nothing), not forced to the disk (power loss can lose the last writes).
 * <p>
 * A second thread forces the file to the disk ({@link MVStore#sync()}, {@code fsync}) every sync interval (1 s in
 * the standalone mode) when H2 wrote to it since the last time, outside H2's locks, so commits go on while it runs.
 * Without it the operating system held back the file's writes (Linux for up to 30 s), and H2's chunk moves, which
 * force the file while holding its store lock, wrote all of them in their first {@code fsync}: commits waited
 * 0.2-1 s, a few times a minute under load (docs/benchmark.md, tenth round; the rest of a move still holds commits at
 * times). It also bounds what power loss can take to about one interval's writes, and keeps to H2's assumption that a
 * chunk is on the disk before its space is reused (45 s later, its {@code RETENTION_TIME}).
 * <p>
 * A transaction committed inside {@link #commitAsynchronously} does not wait (PostgreSQL's asynchronous commit,
 * {@code synchronous_commit = off}): it is visible at once and goes into the file with the next write, H2's own
 * background write (within {@code WRITE_DELAY}, 500 ms) or its close. A killed process can lose such a commit, and
 * never a commit made before it, since a write holds everything committed so far. That is for state derived from the
 * event store and stored with its tracking token (the streaming processors'): what a crash takes back is, as a rule,
 * the token and what it derived, together, and the processor handles those events again; the exception follows.
 * <p>
 * One limit is H2's: a write takes each table's state one after another while transactions go on (H2 issue #2080),
 * so a transaction that was committing while the last write before a kill ran can be cut, some of its rows in the file
 * committed and the rest rolled back at the restart ({@link CrashLeftovers}). No acknowledged commit is among them (it
 * ended before the write that acknowledged it began); a processor's asynchronous commit can be, its token kept
 * without some of the rows it derived: the consistency check ({@code POST /api/admin/consistency-check}) finds such a
 * read model and a rebuild repairs it.
 */
public final class GroupCommit implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    /** The commits one write serves: joined while the previous write runs, released together. */
    private static final class Round {
        private int commits;
        private boolean done;
        private SQLException error;
        /** Deferred commits ({@link #commitDeferred}), completed in the order they joined once the write is done. */
        private final List<CompletableFuture<Void>> deferred = new ArrayList<>();
    }

    private static final long SLOW_WRITE_MS = 200;

    /** Set on a thread while it commits asynchronously ({@link #commitAsynchronously}). */
    private static final ThreadLocal<Boolean> ASYNCHRONOUS = new ThreadLocal<>();

    /** Set on a thread while it commits deferred ({@link #commitDeferred}): what its commits are to wait for. */
    private static final ThreadLocal<List<CompletableFuture<Void>>> DEFERRED = new ThreadLocal<>();

    private final Object lock = new Object();
    /** Package-private: {@code GroupCommitTest} stops it to show what a commit then gets. */
    final Thread writer;
    /** The database of the first connection that waited: its store is what the writer writes. */
    private volatile Database database;
    private Round next;
    /** The round being written, until its waiters are released (its deferred commits too, should the writer end). */
    private Round writing;
    private long writes;
    private long commits;
    /** Counted apart from the rounds: a processor's commit must not contend for the writer's monitor. */
    private final LongAdder asynchronousCommits = new LongAdder();
    private boolean closed;
    /**
     * The writer has ended: after {@link #close}, having written its last round (a commit from now on is left to H2's
     * own close); before it, stopped ({@link #writerStopped}).
     */
    private boolean writerDone;
    /** The writer ended before {@link #close}: a commit that waits for the file fails rather than return as written. */
    private boolean writerStopped;
    /** The exception that ended the writer, before close or while it closed (the cause of {@link #stoppedError}). */
    private Throwable writerFailure;

    private final long windowNanos;
    private long lastWriteStarted;
    private int lastRoundCommits;

    /** Forces the file to the disk every sync interval ({@link #syncFile}); {@code null} when the interval is zero. */
    private final ScheduledExecutorService syncer;
    /** H2's count of completed file writes at the last sync (only the syncer's thread uses it). */
    private long syncedWrites = -1;
    /** When the sync under way started ({@link System#nanoTime}); 0 between syncs. */
    private volatile long syncStarted;
    private final LongAdder syncs = new LongAdder();
    private final LongAdder syncNanos = new LongAdder();
    /** H2's auto-commit buffer to set on the store ({@link #limitMaintenanceSteps}); zero or less keeps H2's own. */
    private final int autoCommitBufferBytes;

    /**
     * @param window the least time between the starts of two writes while commits overlap (the previous write
     *               served more than one): under load, commits that arrive within it share a write (fewer, larger
     *               writes cost less CPU than many small ones, since every write serializes each changed page
     *               again); a lone commit is written at once
     * @param syncInterval how often the file is forced to the disk when something was written (see the class
     *               comment); zero or negative leaves it to the operating system
     * @param autoCommitBufferBytes H2's auto-commit buffer for the store, in bytes ({@link #limitMaintenanceSteps});
     *               zero or negative keeps H2's own (scaled with the heap: 19 MB at 2 GiB)
     */
    GroupCommit(Duration window, Duration syncInterval, int autoCommitBufferBytes) {
        this.windowNanos = window.toNanos();
        this.autoCommitBufferBytes = autoCommitBufferBytes;
        writer = new Thread(this::writeLoop, "h2-group-commit");
        writer.setDaemon(true);
        writer.start();
        if (syncInterval.isZero() || syncInterval.isNegative()) {
            syncer = null;
        } else {
            syncer = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "h2-file-sync");
                thread.setDaemon(true);
                return thread;
            });
            long nanos = syncInterval.toNanos();
            syncer.scheduleWithFixedDelay(this::syncFile, nanos, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Group commit without the periodic sync, with H2's own buffer (tests of the writes alone). */
    GroupCommit(Duration window) {
        this(window, Duration.ZERO, 0);
    }

    /**
     * Runs {@code commit} (a transaction's commit on this thread) as an asynchronous commit: it returns without
     * waiting for the file (see the class comment for what that may lose, and for what it is meant).
     */
    static void commitAsynchronously(Runnable commit) {
        Boolean outer = ASYNCHRONOUS.get();
        ASYNCHRONOUS.set(Boolean.TRUE);
        try {
            commit.run();
        } finally {
            if (outer == null) {
                ASYNCHRONOUS.remove();
            }
        }
    }

    /**
     * Runs {@code commit} (a transaction's commit on this thread) without waiting for the file, and tells when it is
     * there: the commit returns once it is visible, the future completes once a file write holds it (or fails with
     * the write's {@link SQLException}). Unlike {@link #commitAsynchronously}, nothing may treat the commit as durable
     * before the future completes: it is for a caller that acknowledges later (the command batches, which start the
     * next batch while the last one's write runs). A commit that changed nothing completes with the write of what was
     * committed before it ({@link #writtenSoFar}); one that does not go through a {@link GroupCommitDataSource}
     * completes at once.
     */
    public CompletableFuture<Void> commitDeferred(Runnable commit) {
        List<CompletableFuture<Void>> outer = DEFERRED.get();
        List<CompletableFuture<Void>> writes = new ArrayList<>(1);
        DEFERRED.set(writes);
        try {
            commit.run();
        } finally {
            if (outer == null) {
                DEFERRED.remove();
            } else {
                outer.addAll(writes);
                DEFERRED.set(outer);
            }
        }
        return switch (writes.size()) {
            case 0 -> writtenSoFar();
            case 1 -> writes.get(0);
            default -> CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
        };
    }

    /**
     * For a deferred commit that changed nothing: completes once every commit made before it is in the file (with the
     * round that waits for a write, else the one being written), at once when none is outstanding; fails once the
     * writer has stopped. Such a commit is a command batch that appended nothing and answers from what it read (a send
     * repeated with its clientMsgId is acknowledged with the first one's seq), and what it read can be an earlier
     * batch's commit, visible in memory before its write; should that write never come, the repeat must not be
     * acknowledged either.
     */
    private CompletableFuture<Void> writtenSoFar() {
        synchronized (lock) {
            if (writerStopped) {
                return CompletableFuture.failedFuture(stoppedError());
            }
            Round outstanding = next != null ? next : writing != null && !writing.done ? writing : null;
            if (outstanding == null || writerDone) {
                return CompletableFuture.completedFuture(null); // all written, or closed (H2 writes the rest)
            }
            CompletableFuture<Void> written = new CompletableFuture<>();
            outstanding.deferred.add(written); // the writer completes a round's deferred commits once it is done
            return written;
        }
    }

    /** Whether this thread commits deferred now ({@link #commitDeferred}). */
    static boolean committingDeferred() {
        return DEFERRED.get() != null;
    }

    /**
     * Joins what this connection committed so far (in memory) to the next file write, without waiting: the thread's
     * {@link #commitDeferred} returns a future that completes with that write.
     */
    void deferUntilWritten(Connection connection) throws SQLException {
        if (!knowsDatabaseOf(connection)) {
            return; // not H2's: nothing to wait for
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        synchronized (lock) {
            if (writerDone) {
                if (writerStopped) {
                    throw stoppedError();
                }
                return; // shut down: H2 writes everything when it closes (as for awaitWritten)
            }
            DEFERRED.get().add(written);
            joinNextRound().deferred.add(written);
        }
    }

    /** Whether this thread commits asynchronously now ({@link #commitAsynchronously}). */
    static boolean committingAsynchronously() {
        return ASYNCHRONOUS.get() != null;
    }

    /** Counts a commit that changed something and did not wait ({@link #commitAsynchronously}). */
    void committedAsynchronously() {
        asynchronousCommits.increment();
    }

    /** Whether this connection's open transaction has changed anything (a commit of only reads needs no write). */
    boolean hasPendingChanges(Connection connection) throws SQLException {
        SessionLocal session = session(connection);
        return session != null && session.hasPendingTransaction();
    }

    /** Blocks until everything this connection committed so far is written to the file. */
    void awaitWritten(Connection connection) throws SQLException {
        if (!knowsDatabaseOf(connection)) {
            return;
        }
        synchronized (lock) {
            if (!writerDone) {
                Round round = joinNextRound();
                while (!round.done && !writerDone) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SQLException("interrupted while the commit was written", e);
                    }
                }
                if (round.error != null) {
                    throw round.error;
                }
                if (round.done) {
                    return;
                }
            }
            if (writerStopped) {
                throw stoppedError();
            }
            // shut down: H2 writes everything when it closes
        }
    }

    /**
     * Whether the writer has ended before {@link #close} (an exception, an interrupt): from then on every commit that
     * waits for the file fails, until a restart (the health contributor {@code databaseFile}).
     */
    public boolean writerStopped() {
        synchronized (lock) {
            return writerStopped;
        }
    }

    /**
     * What ended the writer with an exception, before close or while it closed; {@code null} while it runs, after a
     * normal close, or when an interrupt ended it.
     */
    public Throwable writerFailure() {
        synchronized (lock) {
            return writerFailure;
        }
    }

    /**
     * How long the write under way has taken so far, until its commits are released; {@link Duration#ZERO} between
     * writes. A write takes milliseconds under load (H2's slowest measured ~1 s, docs/benchmark.md); every commit that
     * waits for the file waits for it, so one that goes on for seconds is a disk that stopped answering (the health
     * contributor {@code databaseFileWrites}).
     */
    public Duration writeUnderWay() {
        synchronized (lock) {
            Round round = writing;
            return round == null || round.done ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - lastWriteStarted);
        }
    }

    /**
     * How long the force of the file to the disk under way ({@link #syncFile}) has taken so far; {@link Duration#ZERO}
     * between syncs. No commit waits for it, but until it returns what was written since the last sync is not safe
     * from a power loss (the health contributor {@code databaseFileWrites}).
     */
    public Duration syncUnderWay() {
        long started = syncStarted;
        return started == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - started);
    }

    /**
     * File writes and the commits they served so far: their ratio is the size of the groups (the meters
     * {@code parley_h2_file_writes_total} and {@code parley_h2_commits_total{durability="synchronous"}}).
     */
    public long[] writesAndCommits() {
        synchronized (lock) {
            return new long[] {writes, commits};
        }
    }

    /**
     * Commits that changed something and did not wait for a write ({@link #commitAsynchronously}; the meter
     * {@code parley_h2_commits_total{durability="asynchronous"}}).
     */
    public long asynchronousCommits() {
        return asynchronousCommits.sum();
    }

    /**
     * Forces to the disk what H2 has written to its file since the last sync: the group commit's writes and H2's own
     * (the processors' asynchronous commits, its chunk rewrites). Skipped while H2 has completed no write since: its
     * write count is read before the sync, and counts a write once it is in the file, so a write still under way is
     * forced by the next sync.
     */
    private void syncFile() {
        Database db = database;
        if (db == null) {
            return; // nothing committed yet
        }
        MVStore store = null;
        try {
            store = db.getStore().getMvStore();
            long written = store.getFileStore().getWriteCount();
            if (store.isClosed() || written == syncedWrites) {
                return;
            }
            long started = System.nanoTime();
            syncStarted = started;
            try {
                store.sync();
            } finally {
                syncStarted = 0;
            }
            syncNanos.add(System.nanoTime() - started);
            syncs.increment();
            syncedWrites = written;
        } catch (Throwable e) {
            // caught whole: an exception would end the periodic task for good
            if (store == null || store.isClosed()) {
                log.debug("H2's file closed while it was forced to the disk", e);
            } else {
                log.error("H2's file could not be forced to the disk; what was written since the last sync may be lost "
                        + "if the machine loses power", e);
            }
        }
    }

    /**
     * Times the file was forced to the disk ({@link #syncFile}) and the nanoseconds it took in all (the meter
     * {@code parley_h2_file_syncs_seconds}).
     */
    public long[] syncsAndNanos() {
        return new long[] {syncs.sum(), syncNanos.sum()};
    }

    private void writeLoop() {
        Throwable failure = null;
        try {
            writeRounds();
        } catch (Throwable e) {
            failure = e;
        }
        List<CompletableFuture<Void>> left = new ArrayList<>();
        Round cut; // the round being written when the writer ended, if its deferred commits may not have heard of it
        boolean stopped;
        synchronized (lock) { // state first, so that no waiter can miss the end whatever the logging below does
            stopped = !closed; // ended before close: an exception, an interrupt
            writerStopped = stopped;
            writerFailure = failure;
            writerDone = true;
            cut = writing;
            if (cut != null && !cut.done) {
                left.addAll(cut.deferred);
                cut = null;
            }
            if (next != null) {
                left.addAll(next.deferred);
            }
            lock.notifyAll();
        }
        if (cut != null) { // ended while it told its deferred commits the write's outcome: the rest hear the same
            for (CompletableFuture<Void> written : cut.deferred) {
                complete(written, cut.error);
            }
        }
        if (stopped) {
            log.error("H2 group commit's writer stopped; commits that wait for the file fail from now on", failure);
        } else if (failure != null) {
            log.error("H2 group commit's writer failed while it closed", failure);
        }
        // after close, as for the commits waiting in awaitWritten: what is left H2 writes when it closes
        for (CompletableFuture<Void> written : left) {
            complete(written, stopped ? stoppedError() : null);
        }
    }

    /** Completes a deferred commit with its write's outcome (a second completion changes nothing). */
    private static void complete(CompletableFuture<Void> written, SQLException error) {
        if (error == null) {
            written.complete(null);
        } else {
            written.completeExceptionally(error);
        }
    }

    /** A new exception per caller (so that no caller adds to another's), with what ended the writer as its cause. */
    private SQLException stoppedError() {
        return new SQLException("the database file's writer has stopped; the commit may not be on disk",
                writerFailure);
    }

    /** Writes round after round; once closed, writes the round still waiting (commits already made) and ends. */
    private void writeRounds() {
        while (true) {
            Round round;
            synchronized (lock) {
                while (next == null && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (next == null) {
                    writerDone = true; // closed, nothing left to write (set here: no commit can join in between)
                    lock.notifyAll();
                    return;
                }
                // Only when commits overlap (the last write served several) is it worth waiting for more to join,
                // and only while another transaction that changed something is still open and may join (as
                // PostgreSQL's commit_delay waits only with commit_siblings open): one client committing one
                // thing after another, with the processors' commits that follow each of its messages, would
                // otherwise wait a window each time (the long-conversation benchmark: ~190 commands/s, 5 ms each).
                // A processor's open transaction counts too, although its asynchronous commit will not join: the
                // session cannot tell which kind it is before the commit, and the wait is bounded by the window.
                long wait = lastRoundCommits > 1 ? lastWriteStarted + windowNanos - System.nanoTime() : 0;
                while (wait > 0 && !closed && anotherTransactionMayJoin()) {
                    try {
                        lock.wait(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                    wait = lastWriteStarted + windowNanos - System.nanoTime();
                }
                round = next; // whoever commits from now on joins the following round
                next = null;
                writing = round;
                lastWriteStarted = System.nanoTime();
                lastRoundCommits = round.commits;
            }
            SQLException error = null;
            try {
                writeCommitted(database.getStore().getMvStore());
                long tookMs = (System.nanoTime() - lastWriteStarted) / 1_000_000; // only this thread sets it
                if (tookMs >= SLOW_WRITE_MS) {
                    log.warn("H2 took {} ms to write to its file; commits waited for it", tookMs);
                }
            } catch (RuntimeException | Error e) {
                // an Error too: the round's waiters and deferred commits must hear of it, or they would wait forever
                log.error("H2 could not write committed changes to its file", e);
                error = new SQLException("the commit could not be written to the database file: " + e.getMessage(), e);
            }
            synchronized (lock) {
                round.done = true;
                round.error = error;
                writes++;
                lock.notifyAll();
            }
            for (CompletableFuture<Void> written : round.deferred) {
                complete(written, error);
            }
            synchronized (lock) {
                writing = null;
            }
            if (error != null && closedByH2()) {
                // H2 closes a database whose file write failed; a new connection would open the file again as another
                // database, which this writer does not write: it stops, so that health reports it until a restart
                throw new IllegalStateException("H2 closed the database after a failed write", error);
            }
        }
    }

    /** Whether H2 has closed the database this writer writes (it does after a failed write: MVStore's panic). */
    private boolean closedByH2() {
        try {
            return database.isClosing() || database.getStore().getMvStore().isClosed();
        } catch (RuntimeException gone) {
            return true;
        }
    }

    /**
     * Writes everything committed so far: {@link MVStore#commit()}, and, when it found nothing left to store, waits
     * for H2's own pipeline. {@code commit()} returns at once when it finds nothing unsaved, and it finds nothing
     * unsaved when another thread has just taken the changes into that pipeline ({@code MVStore.tryCommit}: H2's
     * background writer; a transaction's commit once the unsaved changes pass 3/4 of the auto-commit buffer; the back
     * pressure past it), whose threads serialize and write the chunk a little later: without the wait the round's
     * commits would be released before they are in the file. {@code executeFilestoreOperation} empties both of H2's
     * executors, chunk and store header written (H2 2.3.232, {@code FileStore.executeFileStoreOperation}). When
     * {@code commit()} stored, it waited for its own chunk behind every earlier one.
     */
    private static void writeCommitted(MVStore store) {
        if (store.commit() < 0) {
            store.executeFilestoreOperation(() -> {
            });
        }
    }

    /**
     * Whether a session has an open transaction that changed something: it will commit (and join) or roll back. A
     * session whose commit waits in the round has already committed in memory and does not count. Other threads'
     * sessions are read without their lock: H2's {@code SessionLocal.hasPendingTransaction} reads its transaction
     * three times, and threw a {@link NullPointerException} when the transaction ended in between (H2 2.3.232, found
     * by a CI run of {@code GroupCommitTest}); such a session counts as one that may join, which at most waits the
     * window.
     */
    private boolean anotherTransactionMayJoin() {
        Database db = database;
        if (db == null) {
            return true;
        }
        for (SessionLocal session : db.getSessions(false)) {
            try {
                if (session.hasPendingTransaction()) {
                    return true;
                }
            } catch (RuntimeException endedMeanwhile) {
                return true;
            }
        }
        return false;
    }

    /** Counts a commit into the round the next write serves, starting it if none waits yet; under {@code lock}. */
    private Round joinNextRound() {
        if (next == null) {
            next = new Round();
            lock.notifyAll();
        }
        next.commits++;
        commits++;
        return next;
    }

    /** Whether the writer knows the database to write (the first H2 connection that commits tells it). */
    private boolean knowsDatabaseOf(Connection connection) throws SQLException {
        if (database == null) {
            SessionLocal session = session(connection);
            if (session == null) {
                return false;
            }
            database = session.getDatabase();
            limitMaintenanceSteps(database.getStore().getMvStore());
        }
        return true;
    }

    /**
     * Sets H2's auto-commit buffer ({@code MVStore.Builder.autoCommitBufferSize}) on the store, which H2 otherwise
     * scales with the heap (19 MB from ~300 MB of heap up) and lets no database setting change. Besides how many
     * unsaved changes make H2 write on its own (group commit writes every few milliseconds under load, far below
     * either size), it sizes H2's background maintenance: a chunk move handles up to twice it under load (eight times
     * when idle) and a rewrite under load up to a quarter of it, each holding the store lock that every file write
     * needs, so every commit waits for the whole step. Moves of up to 38 MB were the write stalls of 0.2-0.9 s
     * (docs/benchmark.md, tenth to twelfth rounds). H2 2.3.232 keeps it in a private final field, set here by
     * reflection; should a later H2 rename it, the store keeps H2's own size and a warning says so
     * ({@code GroupCommitTest} fails first).
     */
    private void limitMaintenanceSteps(MVStore store) {
        if (autoCommitBufferBytes <= 0 || store.getAutoCommitMemory() == 0) {
            return; // H2's own, or a store that never writes on its own (in memory)
        }
        try {
            Field field = MVStore.class.getDeclaredField("autoCommitMemory");
            field.setAccessible(true);
            int own = store.getAutoCommitMemory();
            if (own == autoCommitBufferBytes) {
                return; // set already (two first commits may both get here)
            }
            field.setInt(store, autoCommitBufferBytes);
            log.info("H2's auto-commit buffer: {} KB (H2's own: {} KB; parley.h2.auto-commit-buffer-size)",
                    store.getAutoCommitMemory() / 1024, own / 1024);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("H2's auto-commit buffer could not be set (H2 {}); its background maintenance keeps steps of up"
                    + " to {} KB, which may stall commits", org.h2.engine.Constants.VERSION,
                    2 * store.getAutoCommitMemory() / 1024, e);
        }
    }

    private static SessionLocal session(Connection connection) throws SQLException {
        if (!connection.isWrapperFor(JdbcConnection.class)) {
            return null;
        }
        return connection.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal local ? local : null;
    }

    /**
     * Stops the writer after it has written the commits already waiting (at shutdown: an acknowledged commit is in
     * the file before the database closes, whatever order the beans are destroyed in). Waits at most a few seconds.
     */
    @Override
    public void close() {
        if (syncer != null) {
            syncer.shutdown();
            try {
                syncer.awaitTermination(5, TimeUnit.SECONDS); // a sync under way ends before the store closes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!writerDone && System.nanoTime() < deadline) {
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (!writerDone) {
                log.warn("H2 group commit: the last write did not end within 5 s; H2 writes the rest when it closes");
            }
            log.info("H2 group commit: {} commits were written to the file in {} writes; {} committed asynchronously",
                    commits, writes, asynchronousCommits.sum());
        }
    }
}
