package io.parley.standalone;

import io.parley.eventstore.log.EventLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thread interrupted while it writes H2's file leaves the database open for everyone: the standalone URL opens the
 * file through H2's {@code retry:} file system (docs/decisions.md, "The H2 file survives an interrupted thread"). The
 * same steps on a plain {@code jdbc:h2:file:} URL show that the interrupt does reach the file. Should the group
 * commit's own writer be interrupted, writes fail and health says why. These three with the events in H2's table
 * ({@code parley.event-store=jdbc}); the last two the same for the event log, the default.
 */
class InterruptedThreadTest {

    static final int ATTEMPTS = 50;

    @TempDir
    Path dataDir;

    @Test
    void aThreadInterruptedWhileItWritesTheFileLeavesTheDatabaseOpenForEveryone() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.event-store=jdbc")) {
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            assertThat(send(alice, conversation, "before")).isEqualTo(201);

            Throwable failed = writeTheFileInterrupted(parley.bean(DataSource.class));

            assertThat(send(alice, conversation, "after")).isEqualTo(201);
            assertThat(ParleyClient.signUp(parley, "carol").userId).isNotBlank();
            assertThat(bob.fullHistory(conversation, 2, Duration.ofSeconds(10)))
                    .extracting(message -> message.get("text").asText())
                    .containsExactly("before", "after");
            assertThat(failed).as("the interrupted thread's own statement").isNull();
        }
    }

    @Test
    void onAPlainFileUrlTheSameInterruptClosesTheDatabase() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir, "spring.datasource.url=jdbc:h2:file:"
                + dataDir.toAbsolutePath() + "/parley;DB_CLOSE_ON_EXIT=FALSE", "parley.event-store=jdbc")) {
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);

            Throwable failed = writeTheFileInterrupted(parley.bean(DataSource.class));

            assertThat(failed).as("the interrupted thread's own statement").isNotNull();
            assertThat(send(alice, conversation, "after")).as("a send after it").isEqualTo(500);
        }
    }

    @Test
    void whenTheFilesWriterStopsHealthSaysSoAndWritesFailRatherThanBeAcknowledged() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.roles.admins=ops", "parley.event-store=jdbc")) {
            ParleyClient ops = ParleyClient.signUpExactly(parley, "ops");
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            assertThat(send(alice, conversation, "before")).isEqualTo(201);
            ParleyClient.Response up = ops.call("GET", "/actuator/health/readiness", null);
            assertThat(up.body().at("/components/databaseFile/status").asText()).as(up.toString()).isEqualTo("UP");

            interruptTheWriter("h2-group-commit"); // the writer ended by anything but the server's close

            assertThat(send(alice, conversation, "after")).as("a send that cannot be written").isEqualTo(500);
            assertThat(ops.call("GET", "/actuator/health/liveness", null, null).status()).isEqualTo(503);
            ParleyClient.Response down = ops.call("GET", "/actuator/health/readiness", null);
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.body().at("/components/databaseFile/status").asText()).as(down.toString())
                    .isEqualTo("DOWN");
            assertThat(down.body().at("/components/databaseFile/details/reason").asText()).isEqualTo("interrupted");
        }
    }

    /**
     * With the events in the event log (the default): a thread interrupted while it reads the log fails alone (Java
     * closes the file for every thread; the log opens it again), and sends, deliveries and history go on.
     */
    @Test
    void aThreadInterruptedWhileItReadsTheEventLogLeavesItOpenForEveryone() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir)) {
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            assertThat(send(alice, conversation, "before")).isEqualTo(201);

            EventLog log = parley.bean("parleyEventLog", EventLog.class);
            Throwable[] failed = new Throwable[1];
            Thread reader = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    log.readAfter(Long.MIN_VALUE, 100);
                } catch (IOException e) {
                    failed[0] = e;
                }
            });
            reader.start();
            reader.join();

            assertThat(failed[0]).as("the interrupted thread's own read").isInstanceOf(ClosedByInterruptException.class);
            assertThat(send(alice, conversation, "after")).isEqualTo(201);
            assertThat(ParleyClient.signUp(parley, "carol").userId).isNotBlank();
            assertThat(bob.fullHistory(conversation, 2, Duration.ofSeconds(10)))
                    .extracting(message -> message.get("text").asText())
                    .containsExactly("before", "after");
            assertThat(log.failure()).isNull();
        }
    }

    /** With the events in the event log: should its writer be interrupted, sends fail and health says why. */
    @Test
    void whenTheEventLogsWriterStopsHealthSaysSoAndSendsFailRatherThanBeAcknowledged() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.roles.admins=ops")) {
            ParleyClient ops = ParleyClient.signUpExactly(parley, "ops");
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            assertThat(send(alice, conversation, "before")).isEqualTo(201);

            interruptTheWriter("event-log-writer events.log");

            assertThat(send(alice, conversation, "after")).as("a send that cannot be written").isEqualTo(500);
            assertThat(ops.call("GET", "/actuator/health/liveness", null, null).status()).isEqualTo(503);
            ParleyClient.Response down = ops.call("GET", "/actuator/health/readiness", null);
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.body().at("/components/eventLog/status").asText()).as(down.toString()).isEqualTo("DOWN");
            assertThat(down.body().at("/components/eventLog/details/reason").asText()).contains("interrupted");
            assertThat(bob.fullHistory(conversation, 1, Duration.ofSeconds(10)))
                    .extracting(message -> message.get("text").asText()).as("nothing acknowledged lost")
                    .containsExactly("before");
        }
    }

    /**
     * Runs {@code CHECKPOINT SYNC}, which has H2 write its changes and then forces the file on the calling thread,
     * with the thread's interrupt flag set: Java's {@code FileChannel} closes itself as the force begins, as it does
     * for a thread interrupted while blocked in it. Up to {@link #ATTEMPTS} times, until one fails: H2 sometimes
     * clears the flag before the force (likely while it waits for its own writer threads). The connection is taken
     * before the flag is set, so the pool never sees it.
     *
     * @return the first statement's failure, or {@code null} when every attempt succeeded
     */
    private static Throwable writeTheFileInterrupted(DataSource dataSource) throws Exception {
        Exception[] failed = new Exception[1];
        Thread thread = new Thread(() -> {
            try (Connection connection = dataSource.getConnection();
                 Statement statement = connection.createStatement()) {
                for (int i = 0; i < ATTEMPTS && failed[0] == null; i++) {
                    Thread.currentThread().interrupt();
                    try {
                        statement.execute("CHECKPOINT SYNC");
                    } catch (SQLException e) {
                        failed[0] = e;
                    }
                    Thread.interrupted();
                    Thread.sleep(10);
                }
            } catch (SQLException | InterruptedException e) {
                failed[0] = e;
            }
        });
        thread.start();
        thread.join();
        return failed[0];
    }

    /** Interrupts this server's one live thread of that name, and waits until it has ended. */
    private static void interruptTheWriter(String name) throws InterruptedException {
        List<Thread> writers = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals(name) && thread.isAlive()).toList();
        assertThat(writers).as("this server's writer, alone").hasSize(1);
        Thread writer = writers.get(0);
        writer.interrupt();
        writer.join(5_000);
        assertThat(writer.isAlive()).isFalse();
    }

    private static int send(ParleyClient from, String conversation, String text) {
        return from.sendOverHttp(conversation, text).status();
    }
}
