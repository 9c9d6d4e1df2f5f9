package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static io.parley.standalone.ParleyClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thread interrupted while it reads or writes H2's file must not close the database for everyone. Threads are
 * interrupted in normal operation: Reactor interrupts a {@code boundedElastic} worker when its subscriber cancels (a
 * client hanging up during a query), and Axon interrupts its processors' threads when they stop. Java closes a
 * {@code FileChannel} for good when a thread blocked in it is interrupted, and H2 then closed the whole database:
 * every later sign-up and send answered 500 until a restart (three tests of a CI run, 2026-12-01). The standalone URL
 * opens the file through H2's {@code retry:} file system, which opens the file again and repeats the operation.
 */
class InterruptedThreadTest {

    @TempDir
    Path dataDir;

    @Test
    void aThreadInterruptedWhileItForcesTheFileToTheDiskLeavesTheDatabaseOpenForEveryone() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir)) {
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            send(alice, conversation, "before");

            // CHECKPOINT SYNC writes and forces the file on the calling thread: with the interrupt flag set, Java's
            // FileChannel closes itself as the write or the force begins, as it does for a thread interrupted while
            // blocked in it. Five times: H2 clears the flag now and then while it waits for its store lock.
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread interrupted = new Thread(() -> {
                JdbcTemplate jdbc = new JdbcTemplate(parley.bean(DataSource.class));
                for (int i = 0; i < 5 && failed.get() == null; i++) {
                    Thread.currentThread().interrupt();
                    try {
                        jdbc.execute("CHECKPOINT SYNC");
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                }
            });
            interrupted.start();
            interrupted.join();

            send(alice, conversation, "after");
            assertThat(ParleyClient.signUp(parley, "carol").userId).isNotBlank();
            assertThat(bob.fullHistory(conversation, 2, Duration.ofSeconds(10)))
                    .extracting(message -> message.get("text").asText())
                    .containsExactly("before", "after");
            assertThat(failed.get()).as("the interrupted thread's own statement").isNull();
        }
    }

    private static void send(ParleyClient from, String conversation, String text) {
        ParleyClient.Response sent = from.call("POST", "/api/conversations/" + conversation + "/messages",
                json("clientMsgId", UUID.randomUUID().toString(), "text", text));
        assertThat(sent.status()).as(sent.toString()).isEqualTo(201);
    }
}
