package io.parley.eventstore.h2;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.h2.store.fs.FilePath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On an H2 file database without {@code WRITE_DELAY=0} (so H2 itself would keep commits in memory for up to 500 ms):
 * a write returns only once it is in the file, reads cost no write, concurrent commits share writes, a streaming
 * processor's commit does not wait, and no commit returns as written once the writer has stopped.
 */
class GroupCommitTest {

    @TempDir
    Path dir;

    private HikariDataSource pool;
    private final GroupCommit groupCommit = new GroupCommit(Duration.ofMillis(2));

    @AfterEach
    void close() {
        groupCommit.close();
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void aCommittedTransactionIsInTheFileWhenCommitReturns() throws SQLException {
        GroupCommitDataSource ds = dataSource();
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        for (int i = 0; i < 20; i++) {
            int n = i;
            tx.executeWithoutResult(status -> new JdbcTemplate(ds).update("INSERT INTO t VALUES (?, ?)", n, "row " + n));
            assertThat(mvStore().hasUnsavedChanges()).as("unsaved changes after commit %d", i).isFalse();
        }
        assertThat(groupCommit.writesAndCommits()[1]).isEqualTo(20);
    }

    @Test
    void anAutoCommitUpdateIsInTheFileWhenItReturns() throws SQLException {
        GroupCommitDataSource ds = dataSource();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        jdbc.update("INSERT INTO t VALUES (1, 'one')");
        assertThat(mvStore().hasUnsavedChanges()).isFalse();
        jdbc.update("UPDATE t SET v = 'uno' WHERE id = 1");
        assertThat(mvStore().hasUnsavedChanges()).isFalse();
        assertThat(groupCommit.writesAndCommits()[1]).isEqualTo(2);
        assertThat(jdbc.update("UPDATE t SET v = 'none' WHERE id = 99")).isZero(); // nothing changed: no wait
        assertThat(groupCommit.writesAndCommits()[1]).isEqualTo(2);
    }

    @Test
    void readsCommitWithoutWaitingForAWrite() throws SQLException {
        GroupCommitDataSource ds = dataSource();
        new JdbcTemplate(ds).update("INSERT INTO t VALUES (1, 'one')");
        long[] before = groupCommit.writesAndCommits();
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        for (int i = 0; i < 10; i++) {
            Long rows = tx.execute(status -> new JdbcTemplate(ds).queryForObject("SELECT COUNT(*) FROM t", Long.class));
            assertThat(rows).isEqualTo(1L);
        }
        assertThat(groupCommit.writesAndCommits()).containsExactly(before);
    }

    @Test
    void oneClientCommittingOneThingAfterAnotherIsNotHeldBackByTheWindow() throws SQLException {
        GroupCommit slowWindow = new GroupCommit(Duration.ofMillis(100));
        try {
            dataSource();
            GroupCommitDataSource ds = new GroupCommitDataSource(pool, slowWindow);
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                jdbc.update("INSERT INTO t VALUES (?, ?)", i, "row " + i);
            }
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(slowWindow.writesAndCommits()).containsExactly(20, 20);
            assertThat(tookMs).as("20 lone commits (a window each would take 1.9 s)").isLessThan(1_500);
        } finally {
            slowWindow.close();
        }
    }

    @Test
    void concurrentCommitsShareWrites() throws Exception {
        GroupCommitDataSource ds = dataSource();
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        int threads = 8;
        int each = 100;
        ExecutorService workers = Executors.newFixedThreadPool(threads);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * each;
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < each; i++) {
                        int id = base + i;
                        tx.executeWithoutResult(status ->
                                new JdbcTemplate(ds).update("INSERT INTO t VALUES (?, ?)", id, "row " + id));
                    }
                }, workers));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            workers.shutdownNow();
        }
        long[] writesAndCommits = groupCommit.writesAndCommits();
        assertThat(writesAndCommits[1]).isEqualTo(threads * each);
        assertThat(writesAndCommits[0]).isLessThan(threads * each);
        assertThat(new JdbcTemplate(ds).queryForObject("SELECT COUNT(*) FROM t", Long.class)).isEqualTo(threads * each);
    }

    @Test
    void aProcessorsCommitDoesNotWaitForTheFileAndTheNextWriteHoldsIt() throws SQLException {
        GroupCommitDataSource ds = dataSource();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        TransactionManager processors = processorTransactions(ds);
        processors.executeInTransaction(() -> jdbc.update("INSERT INTO t VALUES (1, 'derived')"));
        assertThat(groupCommit.writesAndCommits()[1]).as("commits that waited for a write").isZero();
        assertThat(groupCommit.asynchronousCommits()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT v FROM t WHERE id = 1", String.class)).isEqualTo("derived");

        jdbc.update("INSERT INTO t VALUES (2, 'acknowledged')"); // a commit that waits
        assertThat(groupCommit.writesAndCommits()[1]).isEqualTo(1);
        assertThat(mvStore().hasUnsavedChanges()).as("the processor's commit is written with it").isFalse();
    }

    @Test
    void aProcessorsRolledBackTransactionLeavesNothing() throws SQLException {
        GroupCommitDataSource ds = dataSource();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        TransactionManager processors = processorTransactions(ds);
        Transaction transaction = processors.startTransaction();
        jdbc.update("INSERT INTO t VALUES (1, 'derived')");
        transaction.rollback();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM t", Long.class)).isZero();
        assertThat(groupCommit.asynchronousCommits()).isZero();
    }

    @Test
    void aDeferredCommitIsVisibleAtOnceAndItsFutureCompletesWithTheWriteThatHoldsIt() throws Exception {
        GroupCommitDataSource ds = dataSource();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        DataSourceTransactionManager transactions = new DataSourceTransactionManager(ds);
        org.springframework.transaction.TransactionStatus status = transactions.getTransaction(null);
        jdbc.update("INSERT INTO t VALUES (1, 'batch')");

        CompletableFuture<Void> written = groupCommit.commitDeferred(() -> transactions.commit(status));
        assertThat(new JdbcTemplate(pool).queryForObject("SELECT v FROM t WHERE id = 1", String.class))
                .as("visible to another connection when the commit returns").isEqualTo("batch");

        written.get(10, TimeUnit.SECONDS);
        assertThat(mvStore().hasUnsavedChanges()).as("in the file once the future completes").isFalse();
        assertThat(groupCommit.writesAndCommits()).containsExactly(1, 1);
    }

    @Test
    void aDeferredCommitThatChangedNothingIsCompleteAtOnceWithoutAWrite() throws Exception {
        GroupCommitDataSource ds = dataSource();
        DataSourceTransactionManager transactions = new DataSourceTransactionManager(ds);
        org.springframework.transaction.TransactionStatus status = transactions.getTransaction(null);
        new JdbcTemplate(ds).queryForObject("SELECT COUNT(*) FROM t", Long.class);

        assertThat(groupCommit.commitDeferred(() -> transactions.commit(status))).isCompleted();
        assertThat(groupCommit.writesAndCommits()).containsExactly(0, 0);
    }

    /**
     * A command batch that appended nothing answers from what it read (a resent message is acknowledged with the first
     * one's seq); what it read may be an earlier batch's commit whose write is still under way, so its own commit
     * completes only with that write. Here the file holds every write back 300 ms.
     */
    @Test
    void aDeferredCommitThatChangedNothingCompletesWithTheWriteOfWhatWasCommittedBeforeIt() throws Exception {
        try (HikariDataSource slow = slowWritesPool("slow-deferred")) {
            GroupCommitDataSource ds = new GroupCommitDataSource(slow, groupCommit);
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            jdbc.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100))");
            DataSourceTransactionManager transactions = new DataSourceTransactionManager(ds);
            SlowWritesFilePath.delayMillis = 300;
            try {
                org.springframework.transaction.TransactionStatus first = transactions.getTransaction(null);
                jdbc.update("INSERT INTO t VALUES (1, 'sent')");
                CompletableFuture<Void> sent = groupCommit.commitDeferred(() -> transactions.commit(first));
                org.springframework.transaction.TransactionStatus again = transactions.getTransaction(null);
                assertThat(jdbc.queryForObject("SELECT v FROM t WHERE id = 1", String.class)).isEqualTo("sent");
                CompletableFuture<Void> resent = groupCommit.commitDeferred(() -> transactions.commit(again));

                assertThat(sent).as("the first commit, its write held back").isNotDone();
                assertThat(resent).as("the commit that only read it").isNotDone();
                sent.get(10, TimeUnit.SECONDS);
                resent.get(10, TimeUnit.SECONDS);
            } finally {
                SlowWritesFilePath.delayMillis = 0;
            }
        }
    }

    /**
     * After a write that failed, H2 (2.3.232) closes the database: no later batch can read, and acknowledge from, a
     * commit that never reached the file (what a deferred commit that changed nothing relies on:
     * {@code GroupCommit.writtenSoFar} completes it at once when no round is outstanding). The writer stops with it, so
     * that health reports the database file as down until a restart, rather than write a store that is gone while a
     * new connection opens the file again as another database. Should an upgrade of H2 let reads go on, this fails.
     */
    @Test
    void afterAFailedWriteTheDatabaseRefusesReadsAndTheWriterStops() throws Exception {
        try (HikariDataSource failing = slowWritesPool("failing-write")) {
            GroupCommitDataSource ds = new GroupCommitDataSource(failing, groupCommit);
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            jdbc.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100))");
            DataSourceTransactionManager transactions = new DataSourceTransactionManager(ds);
            SlowWritesFilePath.failWrites = true;
            try {
                org.springframework.transaction.TransactionStatus first = transactions.getTransaction(null);
                jdbc.update("INSERT INTO t VALUES (1, 'sent')");
                CompletableFuture<Void> sent = groupCommit.commitDeferred(() -> transactions.commit(first));
                assertThatThrownBy(() -> sent.get(10, TimeUnit.SECONDS)).as("the commit whose write failed")
                        .isInstanceOf(ExecutionException.class);

                assertThatThrownBy(() -> jdbc.queryForObject("SELECT v FROM t WHERE id = 1", String.class))
                        .as("a read of what that commit wrote").hasMessageContaining("The database has been closed");
                groupCommit.writer.join(5_000);
                assertThat(groupCommit.writerStopped()).as("what health reports").isTrue();
            } finally {
                SlowWritesFilePath.failWrites = false;
            }
        }
    }

    @Test
    void theFileIsForcedToTheDiskAfterAWriteAndNotAgainUntilTheNextOne() throws Exception {
        GroupCommit syncing = new GroupCommit(Duration.ofMillis(2), Duration.ofMillis(20), 0);
        try {
            dataSource();
            JdbcTemplate jdbc = new JdbcTemplate(new GroupCommitDataSource(pool, syncing));
            assertThat(syncing.syncsAndNanos()[0]).as("nothing written yet").isZero();
            jdbc.update("INSERT INTO t VALUES (1, 'one')");
            long afterFirst = awaitSyncs(syncing, 1);
            Thread.sleep(200); // ten intervals in which this test writes nothing
            // H2 may store once more on its own (its background write), which is then forced too: at most one more
            assertThat(syncing.syncsAndNanos()[0]).as("syncs while nothing was written")
                    .isLessThanOrEqualTo(afterFirst + 1);
            jdbc.update("INSERT INTO t VALUES (2, 'two')");
            awaitSyncs(syncing, afterFirst + 1);
            syncing.close();
            long atClose = syncing.syncsAndNanos()[0];
            jdbc.update("INSERT INTO t VALUES (3, 'three')");
            Thread.sleep(100);
            assertThat(syncing.syncsAndNanos()[0]).as("syncs after close").isEqualTo(atClose);
        } finally {
            syncing.close();
        }
    }

    /**
     * A store that another thread began ({@code MVStore.tryCommit}: H2's background writer, its back pressure, a large
     * transaction's commit) takes the committed changes into H2's asynchronous pipeline, so the writer's
     * {@code MVStore.commit()} then finds nothing unsaved and returns at once, before that chunk is in the file. The
     * commits waiting for the write must still wait for it: here its write is held back 300 ms by the file system.
     */
    @Test
    void aCommitWaitsForTheWriteOfAStoreAnotherThreadBegan() throws Exception {
        try (HikariDataSource slow = slowWritesPool("slow"); Connection connection = slow.getConnection()) {
            connection.createStatement().execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100))");
            MVStore store = ((SessionLocal) connection.unwrap(JdbcConnection.class).getSession()).getDatabase()
                    .getStore().getMvStore();
            SlowWritesFilePath.delayMillis = 300; // from here every chunk H2 writes takes 300 ms
            try {
                connection.setAutoCommit(false);
                connection.createStatement().execute("INSERT INTO t VALUES (1, 'one')");
                connection.commit(); // in memory: nothing awaited yet
                store.tryCommit(); // another thread's store, as H2's background writer begins one (or it just did)
                long version = store.getCurrentVersion();
                assertThat(store.getFileStore().lastChunkVersion()).as("under way").isLessThan(version);

                groupCommit.awaitWritten(connection);

                assertThat(store.getFileStore().lastChunkVersion()).as("written when the commit returns")
                        .isGreaterThanOrEqualTo(version);
            } finally {
                SlowWritesFilePath.delayMillis = 0;
            }
        }
    }

    /**
     * A write that goes on is seen while it does (the health contributor databaseFileWrites reads it); zero between
     * writes, and from the moment its commits are released.
     */
    @Test
    void aWriteUnderWayTellsHowLongItHasTakenSoFar() throws Exception {
        try (HikariDataSource slow = slowWritesPool("slow")) {
            JdbcTemplate jdbc = new JdbcTemplate(new GroupCommitDataSource(slow, groupCommit));
            jdbc.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100))");
            jdbc.update("INSERT INTO t VALUES (0, 'zero')");
            assertThat(groupCommit.writesAndCommits()[0]).as("written").isPositive();
            assertThat(groupCommit.writeUnderWay()).as("between writes").isZero();
            SlowWritesFilePath.delayMillis = 500;
            CompletableFuture<Integer> insert;
            try {
                insert = CompletableFuture.supplyAsync(() -> jdbc.update("INSERT INTO t VALUES (1, 'one')"));
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (groupCommit.writeUnderWay().toMillis() < 300 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(groupCommit.writeUnderWay()).as("while the file holds the write back")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
                assertThat(insert).as("the commit it holds").isNotDone();
            } finally {
                SlowWritesFilePath.delayMillis = 0;
            }
            assertThat(insert.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(groupCommit.writeUnderWay()).as("written").isZero();
        }
    }

    /** A force of the file that goes on is seen while it does (databaseFileWrites reads it), and holds no commit. */
    @Test
    void aSyncUnderWayTellsHowLongItHasTakenSoFar() throws Exception {
        GroupCommit syncing = new GroupCommit(Duration.ofMillis(2), Duration.ofMillis(50), 0);
        try (HikariDataSource slow = slowWritesPool("slow-sync")) {
            JdbcTemplate jdbc = new JdbcTemplate(new GroupCommitDataSource(slow, syncing));
            jdbc.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100))");
            assertThat(syncing.syncUnderWay()).as("no sync under way").isZero();
            SlowWritesFilePath.forceDelayMillis = 1_000;
            try {
                jdbc.update("INSERT INTO t VALUES (1, 'one')"); // written: the next sync forces it, slowly
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (syncing.syncUnderWay().toMillis() < 300 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(syncing.syncUnderWay()).as("while the disk holds the force back")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
                assertThat(jdbc.update("INSERT INTO t VALUES (2, 'two')")).as("a commit meanwhile").isEqualTo(1);
                assertThat(syncing.writeUnderWay()).isZero();
            } finally {
                SlowWritesFilePath.forceDelayMillis = 0;
                syncing.close();
            }
        }
    }

    /**
     * H2's background maintenance moves up to twice its auto-commit buffer under its store lock, which every commit's
     * write waits for; H2 sizes the buffer from the heap (19 MB at 2 GiB) and has no setting for it. Set by reflection:
     * this fails first should a later H2 rename the field.
     */
    @Test
    void theStoreTakesTheConfiguredAutoCommitBufferSoItsMaintenanceStepsStaySmall() throws SQLException {
        int size = 4100 * 1024; // not a whole number of MB, which H2's own always is
        GroupCommit limited = new GroupCommit(Duration.ofMillis(2), Duration.ZERO, size);
        try {
            dataSource();
            assertThat(mvStore().getAutoCommitMemory()).as("H2's own").isNotEqualTo(size);
            new JdbcTemplate(new GroupCommitDataSource(pool, limited)).update("INSERT INTO t VALUES (1, 'one')");
            assertThat(mvStore().getAutoCommitMemory()).isEqualTo(size);
        } finally {
            limited.close();
        }
    }

    /** Waits (at most 5 s) until {@code commit} has forced the file at least {@code count} times; returns the count. */
    private static long awaitSyncs(GroupCommit commit, long count) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (commit.syncsAndNanos()[0] < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(commit.syncsAndNanos()[0]).as("syncs").isGreaterThanOrEqualTo(count);
        return commit.syncsAndNanos()[0];
    }

    @Test
    void aCommitAfterTheWriterStoppedFailsRatherThanReturnAsWritten() throws Exception {
        GroupCommitDataSource ds = dataSource();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        jdbc.update("INSERT INTO t VALUES (1, 'one')");
        assertThat(groupCommit.writerStopped()).isFalse();

        groupCommit.writer.interrupt(); // a writer ended by anything but close: an interrupt, an exception
        groupCommit.writer.join(5_000);

        assertThat(groupCommit.writer.isAlive()).isFalse();
        assertThat(groupCommit.writerStopped()).as("what health reports").isTrue();
        assertThatThrownBy(() -> jdbc.update("INSERT INTO t VALUES (2, 'two')"))
                .as("an awaited commit").hasRootCauseMessage("the database file's writer has stopped; the commit may "
                        + "not be on disk");
        DataSourceTransactionManager transactions = new DataSourceTransactionManager(ds);
        org.springframework.transaction.TransactionStatus status = transactions.getTransaction(null);
        jdbc.update("INSERT INTO t VALUES (3, 'three')");
        assertThatThrownBy(() -> groupCommit.commitDeferred(() -> transactions.commit(status)))
                .as("the command batches' deferred commit").hasRootCauseMessage("the database file's writer has "
                        + "stopped; the commit may not be on disk");
        org.springframework.transaction.TransactionStatus onlyRead = transactions.getTransaction(null);
        jdbc.queryForObject("SELECT COUNT(*) FROM t", Long.class);
        assertThat(groupCommit.commitDeferred(() -> transactions.commit(onlyRead)))
                .as("a deferred commit that only read what may not be on disk").isCompletedExceptionally();
    }

    /** Axon's transaction manager as the streaming processors get it. */
    private static TransactionManager processorTransactions(GroupCommitDataSource ds) {
        return new AsynchronousCommitTransactionManager(new SpringTransactionManager(new DataSourceTransactionManager(ds)));
    }

    /** A pool on a database of this name in {@link #dir}, through {@link SlowWritesFilePath}. */
    private HikariDataSource slowWritesPool(String name) {
        FilePath.register(new SlowWritesFilePath());
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:slowwrites:file:" + dir.resolve(name) + ";DB_CLOSE_ON_EXIT=FALSE");
        return new HikariDataSource(config);
    }

    private GroupCommitDataSource dataSource() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("db") + ";DB_CLOSE_ON_EXIT=FALSE");
        config.setMaximumPoolSize(8);
        pool = new HikariDataSource(config);
        new JdbcTemplate(pool).execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100))");
        return new GroupCommitDataSource(pool, groupCommit);
    }

    private MVStore mvStore() throws SQLException {
        try (Connection c = pool.getConnection()) {
            return ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore().getMvStore();
        }
    }
}
