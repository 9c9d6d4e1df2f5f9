package io.parley.eventstore.h2;

import com.zaxxer.hikari.HikariDataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.db.MVPrimaryIndex;
import org.h2.mvstore.db.MVTable;
import org.h2.value.VersionedValue;
import org.h2.result.SearchRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A killed process can leave in H2's file a row changed by a transaction whose undo log the file does not hold (H2
 * issue #2080). Here such rows are made the way H2's chunk write makes them: a transaction's uncommitted entry is
 * copied, the transaction rolled back, and the copy put back into the table's map without an undo log; the file is
 * then written and the database shut down without closing it, as a kill does.
 */
class CrashLeftoversTest {

    @TempDir
    Path dir;

    @Test
    void rowsAKilledTransactionLeftInTheFileNeitherLockNorShowThroughAfterTheRestart() throws Exception {
        String url = "jdbc:h2:retry:file:" + dir.resolve("db") + ";DB_CLOSE_ON_EXIT=FALSE";
        leaveUncommittedRowsAndKill(url);
        assertThat(CrashLeftovers.closedUncleanly(CrashLeftovers.databaseFile(url))).isTrue();

        try (GroupCommit groupCommit = new GroupCommit(Duration.ofMillis(1));
             HikariDataSource pool = pool(url)) {
            GroupCommitDataSource dataSource = new GroupCommitDataSource(pool, groupCommit,
                    CrashLeftovers.databaseFile(url));
            try (Connection first = dataSource.getConnection()) {
                first.setAutoCommit(false);
                // the first transaction after the restart takes id 1, the id the leftovers carry
                assertThat(text(first, 1)).as("the committed text, not the killed update").isEqualTo("committed");
                assertThat(text(first, 2)).as("the killed insert").isNull();
                assertThat(transactionId(first)).isEqualTo(1);

                JdbcTemplate other = new JdbcTemplate(dataSource);
                other.execute("SET LOCK_TIMEOUT 500");
                assertThat(other.update("UPDATE t SET v = 'after' WHERE id = 1")).as("not locked by tx 1").isEqualTo(1);
                assertThat(other.update("INSERT INTO t VALUES (2, 'new')")).isEqualTo(1);
                first.rollback();
            }
        }
    }

    @Test
    void onlyAFileThatWasNotClosedCountsAsKilled() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("clean") + ";DB_CLOSE_ON_EXIT=FALSE";
        Path file = CrashLeftovers.databaseFile(url);
        assertThat(file).isEqualTo(dir.resolve("clean.mv.db"));
        assertThat(CrashLeftovers.closedUncleanly(file)).as("no file yet").isFalse();
        try (Connection connection = DriverManager.getConnection(url, "sa", "")) {
            connection.createStatement().execute("CREATE TABLE t (id INT PRIMARY KEY)");
            connection.createStatement().execute("INSERT INTO t VALUES (1)");
            connection.createStatement().execute("CHECKPOINT");
            assertThat(CrashLeftovers.closedUncleanly(file)).as("open and written").isTrue();
        }
        assertThat(CrashLeftovers.closedUncleanly(file)).as("closed").isFalse();
    }

    @Test
    void theStandaloneUrlNamesItsFileAndOthersNone() {
        assertThat(CrashLeftovers.databaseFile("jdbc:h2:retry:file:./data/parley;DB_CLOSE_ON_EXIT=FALSE;CACHE_SIZE=16"))
                .isEqualTo(Path.of("./data/parley.mv.db"));
        assertThat(CrashLeftovers.databaseFile("jdbc:h2:mem:parley")).isNull();
        assertThat(CrashLeftovers.databaseFile("jdbc:postgresql://localhost/test")).isNull();
    }

    /** Row 1 committed as "committed" then updated, row 2 inserted, both by a transaction the file keeps no log of. */
    private static void leaveUncommittedRowsAndKill(String url) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, "sa", "")) {
            Statement statement = connection.createStatement();
            statement.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
            statement.execute("INSERT INTO t VALUES (1, 'committed')");
            connection.setAutoCommit(false);
            MVMap<Long, VersionedValue<SearchRow>> rows = rows(connection);
            statement.executeUpdate("UPDATE t SET v = 'killed update' WHERE id = 1");
            statement.executeUpdate("INSERT INTO t VALUES (2, 'killed insert')");
            assertThat(transactionId(connection)).as("the first transaction of the process").isEqualTo(1);
            VersionedValue<SearchRow> update = rows.get(1L);
            VersionedValue<SearchRow> insert = rows.get(2L);
            assertThat(update.getOperationId()).isNotZero();
            connection.rollback();
            rows.put(1L, update);
            rows.put(2L, insert);
            session(connection).getDatabase().getStore().getMvStore().commit();
            connection.setAutoCommit(true);
            statement.execute("SHUTDOWN IMMEDIATELY");
        }
    }

    private static MVMap<Long, VersionedValue<SearchRow>> rows(Connection connection) throws SQLException {
        SessionLocal session = session(connection);
        MVTable table = (MVTable) session.getDatabase().getMainSchema().findTableOrView(session, "T");
        return ((MVPrimaryIndex) table.getScanIndex(session)).getMVMap();
    }

    private static String text(Connection connection, int id) throws SQLException {
        try (ResultSet result = connection.createStatement().executeQuery("SELECT v FROM t WHERE id = " + id)) {
            return result.next() ? result.getString(1) : null;
        }
    }

    private static int transactionId(Connection connection) throws SQLException {
        return session(connection).getTransaction().getId();
    }

    private static SessionLocal session(Connection connection) throws SQLException {
        return (SessionLocal) connection.unwrap(JdbcConnection.class).getSession();
    }

    /** A pool that opens the database at its first connection, as Spring Boot's does. */
    private static HikariDataSource pool(String url) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        pool.setUsername("sa");
        pool.setPassword("");
        pool.setMaximumPoolSize(4);
        return pool;
    }
}
