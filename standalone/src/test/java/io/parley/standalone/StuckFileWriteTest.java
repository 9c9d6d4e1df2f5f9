package io.parley.standalone;

import io.parley.eventstore.log.EventLog;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A write to the H2 file that does not come back (a disk that stopped answering) holds every commit that waits for the
 * file: readiness says so once it has taken longer than {@code parley.operations.max-file-write} (liveness does not: a
 * restart would not mend it), the send it holds is not acknowledged meanwhile, and once the write goes through the
 * send is acknowledged and delivered and readiness is UP again.
 * The hang is H2's own store lock, which H2 holds while it writes, taken by the test, with the events in H2's table
 * ({@code parley.event-store=jdbc}); with them in the event log, the log's own write lock.
 */
class StuckFileWriteTest {

    @TempDir
    Path dataDir;

    @Test
    void whileAWriteToTheFileHangsHealthIsDownAndTheSendItHoldsIsAcknowledgedOnlyOnceWritten() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.roles.admins=ops",
                "parley.operations.max-file-write=500ms", "parley.event-store=jdbc")) {
            ParleyClient ops = ParleyClient.signUpExactly(parley, "ops");
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            assertThat(send(alice, conversation, "before")).isEqualTo(201);
            assertThat(ops.call("GET", "/actuator/health/liveness", null).status()).isEqualTo(200);

            ReentrantLock storeLock = storeLockOf(parley.bean(DataSource.class));
            CompletableFuture<Integer> held;
            storeLock.lock();
            try {
                held = CompletableFuture.supplyAsync(() -> send(alice, conversation, "during"));
                ParleyClient.Response down = awaitReadiness(ops, 503);
                assertThat(down.body().at("/components/databaseFileWrites/status").asText()).as(down.toString())
                        .isEqualTo("DOWN");
                assertThat(down.body().at("/components/databaseFileWrites/details/writer").asText())
                        .startsWith("a write to the file has taken").endsWith("commits wait for it");
                assertThat(ops.call("GET", "/actuator/health/liveness", null).status())
                        .as("liveness: a restart does not mend a disk").isEqualTo(200);
                assertThat(held).as("the send the write holds, not acknowledged").isNotDone();
            } finally {
                storeLock.unlock();
            }

            assertThat(held.get(30, TimeUnit.SECONDS)).as("acknowledged once written").isEqualTo(201);
            awaitReadiness(ops, 200);
            assertThat(bob.fullHistory(conversation, 2, Duration.ofSeconds(10)))
                    .extracting(message -> message.get("text").asText())
                    .containsExactly("before", "during");
        }
    }

    /**
     * The same with the events in the event log (the default): a write of the log that does not come back holds every
     * send, and readiness names it ({@code eventLogWrites}). The command lane does not wait for it: it runs the next
     * send, whose acknowledgement waits for its own write.
     */
    @Test
    void whileAWriteToTheEventLogHangsHealthIsDownAndTheSendItHoldsIsAcknowledgedOnlyOnceWritten() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.roles.admins=ops",
                "parley.operations.max-file-write=500ms")) {
            ParleyClient ops = ParleyClient.signUpExactly(parley, "ops");
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            assertThat(send(alice, conversation, "before")).isEqualTo(201);

            ParleyClient carol = ParleyClient.signUp(parley, "carol");
            String other = carol.openDirectWith(bob);
            EventLog log = parley.bean("parleyEventLog", EventLog.class);
            long otherBefore = log.lastSequenceNumber(other).orElseThrow();
            CompletableFuture<Integer> held;
            CompletableFuture<Integer> next;
            log.holdWrites();
            try {
                held = CompletableFuture.supplyAsync(() -> send(alice, conversation, "during"));
                ParleyClient.Response down = awaitReadiness(ops, 503);
                next = CompletableFuture.supplyAsync(() -> send(carol, other, "while the first is written"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (log.lastSequenceNumber(other).orElseThrow() == otherBefore && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(log.lastSequenceNumber(other)).as("the command lane ran the next send meanwhile")
                        .hasValue(otherBefore + 1);
                assertThat(next).as("and does not acknowledge it before its write either").isNotDone();
                assertThat(down.body().at("/components/eventLogWrites/status").asText()).as(down.toString())
                        .isEqualTo("DOWN");
                assertThat(down.body().at("/components/eventLogWrites/details/writer").asText())
                        .startsWith("a write to the log has taken").endsWith("sends wait for it");
                assertThat(ops.call("GET", "/actuator/health/liveness", null).status())
                        .as("liveness: a restart does not mend a disk").isEqualTo(200);
                assertThat(held).as("the send the write holds, not acknowledged").isNotDone();
            } finally {
                log.releaseWrites();
            }

            assertThat(held.get(30, TimeUnit.SECONDS)).as("acknowledged once written").isEqualTo(201);
            assertThat(next.get(30, TimeUnit.SECONDS)).isEqualTo(201);
            awaitReadiness(ops, 200);
            assertThat(bob.fullHistory(conversation, 2, Duration.ofSeconds(10)))
                    .extracting(message -> message.get("text").asText())
                    .containsExactly("before", "during");
            assertThat(bob.fullHistory(other, 1, Duration.ofSeconds(10)))
                    .extracting(message -> message.get("text").asText())
                    .containsExactly("while the first is written");
        }
    }

    /** H2's lock over its store operations (H2 2.3.232: {@code MVStore.storeLock}); the file's writes take it. */
    private static ReentrantLock storeLockOf(DataSource dataSource) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            MVStore store = ((SessionLocal) connection.unwrap(JdbcConnection.class).getSession()).getDatabase()
                    .getStore().getMvStore();
            Field lock = MVStore.class.getDeclaredField("storeLock");
            lock.setAccessible(true);
            return (ReentrantLock) lock.get(store);
        }
    }

    /** Readiness, with its components (asked by an ADMIN), once it has this status; at most 15 s. */
    private static ParleyClient.Response awaitReadiness(ParleyClient ops, int status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        ParleyClient.Response response = ops.call("GET", "/actuator/health/readiness", null);
        while (response.status() != status && System.nanoTime() < deadline) {
            Thread.sleep(50);
            response = ops.call("GET", "/actuator/health/readiness", null);
        }
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response;
    }

    private static int send(ParleyClient from, String conversation, String text) {
        return from.sendOverHttp(conversation, text).status();
    }
}
