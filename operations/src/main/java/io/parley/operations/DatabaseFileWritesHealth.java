package io.parley.operations;

import io.parley.eventstore.h2.GroupCommit;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

import java.time.Duration;

/**
 * The standalone H2 file's writes and syncs get through ({@link GroupCommit#writeUnderWay},
 * {@link GroupCommit#syncUnderWay}), in readiness: DOWN while one write has taken longer than
 * {@code parley.operations.max-file-write} (30 s), since every commit that waits for the file waits for it, or one
 * force of the file to the disk has, since what was written after the last one is not safe from a power loss until it
 * returns (a disk that stopped answering, either way); with how long so far. Writes take milliseconds, H2's slowest
 * measured ~1 s, and syncs at most ~70 ms (docs/benchmark.md). Not in liveness: a restart does not mend a disk, as it
 * does not mend a database outage (docs/decisions.md); a writer that has stopped is {@link DatabaseFileHealth}'s.
 */
class DatabaseFileWritesHealth extends AbstractHealthIndicator {

    private final GroupCommit groupCommit;
    private final Duration maxWrite;

    DatabaseFileWritesHealth(GroupCommit groupCommit, Duration maxWrite) {
        super("the database file's writes cannot be checked");
        this.groupCommit = groupCommit;
        this.maxWrite = maxWrite;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Duration write = groupCommit.writeUnderWay();
        Duration sync = groupCommit.syncUnderWay();
        builder.up().withDetail("writeUnderWayMs", write.toMillis()).withDetail("syncUnderWayMs", sync.toMillis())
                .withDetail("maxFileWriteMs", maxWrite.toMillis());
        if (write.compareTo(maxWrite) > 0) {
            builder.down().withDetail("writer", "a write to the file has taken " + write.toMillis()
                    + " ms so far: commits wait for it");
        }
        if (sync.compareTo(maxWrite) > 0) {
            builder.down().withDetail("sync", "forcing the file to the disk has taken " + sync.toMillis()
                    + " ms so far: what was written since the last sync is not safe from a power loss");
        }
    }
}
