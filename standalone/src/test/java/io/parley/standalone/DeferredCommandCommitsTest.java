package io.parley.standalone;

import io.parley.axon.DeferredCommit;
import io.parley.eventstore.log.EventLog;
import io.parley.eventstore.log.LoggedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command batch that appended nothing to the event log (a send repeated with its clientMsgId, answered from what its
 * aggregate read, which may be events the log accepted and has not written) is durable only once those events are:
 * its sender is not acknowledged before them, nor at all when their write failed.
 */
class DeferredCommandCommitsTest {

    /** A name no server in this JVM uses: the test finds this log's writer thread by it. */
    private static final String FILE = "deferred-commits-test.log";

    @TempDir
    Path dir;

    @Test
    void aBatchThatWroteNothingIsDurableOnceEveryEventTheLogAcceptedBeforeItIsAndFailsWhenTheirWriteFailed()
            throws Exception {
        try (EventLog log = EventLog.open(dir.resolve(FILE))) {
            DeferredCommit commits = new DeferredCommandCommits.WithTheEventLog(DeferredCommit.SYNCHRONOUS, log);
            assertThat(commits.run(() -> {
            })).as("nothing outstanding").isCompleted();

            CompletableFuture<Void> repeated;
            log.holdWrites();
            try {
                log.append(List.of(event(0)));
                repeated = commits.run(() -> {
                });
                assertThat(repeated).as("the first send's event is accepted, not written").isNotDone();
            } finally {
                log.releaseWrites();
            }
            repeated.get(5, TimeUnit.SECONDS);

            Thread writer = Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().equals("event-log-writer " + FILE) && thread.isAlive())
                    .findFirst().orElseThrow();
            writer.interrupt(); // the log fails, as after a write the disk refused
            writer.join(5_000);
            assertThat(commits.run(() -> {
            })).as("answered with the log's failure, never acknowledged").isCompletedExceptionally();
        }
    }

    private static LoggedEvent event(long sequenceNumber) {
        return new LoggedEvent(0, "e-" + sequenceNumber, "Conversation", "c-1", sequenceNumber,
                Instant.parse("2026-12-03T07:00:00Z"), "io.parley.MessageSent", null,
                "{}".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));
    }
}
