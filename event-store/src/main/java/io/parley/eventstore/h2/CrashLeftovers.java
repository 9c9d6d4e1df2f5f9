package io.parley.eventstore.h2;

import org.h2.engine.Database;
import org.h2.engine.SessionLocal;
import org.h2.index.Index;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.db.MVDelegateIndex;
import org.h2.mvstore.db.MVIndex;
import org.h2.mvstore.db.MVTable;
import org.h2.mvstore.tx.Transaction;
import org.h2.table.Table;
import org.h2.value.VersionedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Rolls back, when an H2 file database opens after its process was killed, the rows that the kill left half-written
 * in the file: entries of a transaction that had not committed, or had not finished committing, whose undo log the
 * file does not hold.
 * <p>
 * H2 writes a chunk by taking each table's and undo log's root one after another while transactions go on (H2
 * 2.3.232, {@code MVStore.collectChangedMapRoots}; H2 issue #2080), so the last chunk before a kill can hold a row a
 * transaction changed without that transaction's undo log. H2 treats such a row as the uncommitted change of the
 * transaction whose id it carries, and rolls it back only when it meets it while no open transaction has that id
 * ({@code TxDecisionMaker}). Ids are reused from 1 after a restart, so the first transactions of the new process take
 * those ids: a long one then locks the row for everyone else ("Map entry ... is locked by tx 1", seen in
 * {@code CrashRecoveryTest} on a processor's token row: the processor could not claim its token until the next
 * restart), and a transaction with that id reads the row as its own uncommitted change (a token or an event that
 * was never committed). This does H2's own rollback of such rows once, before any session uses the database.
 * <p>
 * It scans every row of every table, so it runs only after a shutdown that was not clean: H2 marks its file header
 * {@code clean:1} when it closes and removes the mark at its first write after opening, so a file whose header lacks
 * it was not closed. What a crash can make of a transaction that was committing (some rows written committed, the
 * rest not, the undo log gone) is H2's to prevent; this rolls those rest back like any other leftover.
 */
final class CrashLeftovers {

    private static final Logger log = LoggerFactory.getLogger(CrashLeftovers.class);

    /** The low bits of an H2 operation id are the undo log's entry, the rest the transaction's id (H2 2.3.232). */
    private static final int LOG_ID_BITS = 40;

    private CrashLeftovers() {
    }

    /**
     * The file an H2 URL opens ({@code jdbc:h2:file:PATH;...}, also behind file system prefixes such as
     * {@code retry:}), with H2's {@code .mv.db} suffix; {@code null} for a URL that opens no file (in memory, a server).
     */
    static Path databaseFile(String jdbcUrl) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:h2:")) {
            return null;
        }
        int file = jdbcUrl.lastIndexOf("file:");
        if (file < 0) {
            return null;
        }
        String path = jdbcUrl.substring(file + "file:".length());
        int settings = path.indexOf(';');
        if (settings >= 0) {
            path = path.substring(0, settings);
        }
        if (path.startsWith("~")) {
            path = System.getProperty("user.home") + path.substring(1);
        }
        return Path.of(path + ".mv.db");
    }

    /**
     * Whether the file was opened and not closed since: it exists and its store header (the file's first line, H2's
     * {@code key:value} list) does not hold {@code clean:1}. An unreadable header counts as not clean.
     */
    static boolean closedUncleanly(Path file) {
        if (file == null || !Files.exists(file)) {
            return false;
        }
        byte[] block = new byte[4096];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(block, 0, block.length);
        } catch (IOException e) {
            log.warn("H2's file header could not be read ({}); treated as a file that was not closed", file, e);
            return true;
        }
        String header = new String(block, 0, read, StandardCharsets.ISO_8859_1);
        int end = header.indexOf('\n');
        for (String field : (end < 0 ? header : header.substring(0, end)).split(",")) {
            if (field.equals("clean:1")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Rolls back every row of every table that carries the id of a transaction, and writes the result to the file.
     * Only on the first connection, before any session has begun a transaction: should one be open, nothing is done
     * (a WARN says so).
     *
     * @return how many index entries were rolled back (a row counts once per index it is in)
     */
    static long rollBack(Connection connection) throws SQLException {
        SessionLocal session = (SessionLocal) connection.unwrap(JdbcConnection.class).getSession();
        Database database = session.getDatabase();
        Set<Integer> open = database.getStore().getTransactionStore().getOpenTransactions().stream()
                .map(Transaction::getId).collect(Collectors.toSet());
        if (!open.isEmpty()) {
            // an entry of an open transaction looks like a leftover: only safe before anyone has begun one
            log.warn("H2's file was not closed when the server last stopped, but transactions are open already ({});"
                    + " what the crash left in it is left to H2", open);
            return 0;
        }
        log.info("H2's file was not closed when the server last stopped: rolling back what transactions that had not "
                + "committed left in it (every table is read; about 2 s per million events)");
        long started = System.nanoTime();
        long rows = 0;
        long rolledBack = 0;
        for (Table table : database.getAllTablesAndViews()) {
            if (!(table instanceof MVTable)) {
                continue;
            }
            for (Index index : table.getIndexes()) {
                if (index instanceof MVIndex<?, ?> mvIndex && !(index instanceof MVDelegateIndex)) {
                    long[] counts = rollBack(mvIndex.getMVMap(), open, table.getName() + "." + index.getName());
                    rows += counts[0];
                    rolledBack += counts[1];
                }
            }
        }
        if (rolledBack > 0) {
            database.getStore().getMvStore().commit();
        }
        log.info("{} of {} index entries were left by transactions that had not committed, and are rolled back ({} ms)",
                rolledBack, rows,
                (System.nanoTime() - started) / 1_000_000);
        return rolledBack;
    }

    /** Rolls back one index's leftovers; returns {entries scanned, entries rolled back}. */
    @SuppressWarnings("unchecked")
    private static <K, V> long[] rollBack(MVMap<K, VersionedValue<V>> map, Set<Integer> open, String name) {
        long rows = 0;
        long rolledBack = 0;
        Cursor<K, VersionedValue<V>> cursor = map.cursor(null); // a snapshot: the writes below do not disturb it
        while (cursor.hasNext()) {
            K key = cursor.next();
            VersionedValue<V> value = cursor.getValue();
            rows++;
            long operationId = value.getOperationId();
            if (operationId == 0 || open.contains((int) (operationId >>> LOG_ID_BITS))) {
                continue; // committed, or a transaction of this process's
            }
            V committed = value.getCommittedValue();
            if (committed == null) {
                map.remove(key); // a row or index entry the transaction added
            } else if (committed instanceof VersionedValue<?>) {
                map.put(key, (VersionedValue<V>) committed); // H2's rows and keys are their own committed value
            } else {
                log.warn("{}: a leftover entry's committed value is of an unknown kind ({}); left to H2", name,
                        committed.getClass().getName());
                continue;
            }
            rolledBack++;
        }
        return new long[] {rows, rolledBack};
    }
}
