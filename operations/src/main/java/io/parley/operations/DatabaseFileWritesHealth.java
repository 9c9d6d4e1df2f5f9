package io.parley.operations;

import io.parley.eventstore.h2.GroupCommit;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

import java.time.Duration;

/**
 * The standalone H2 file's writes get through ({@link GroupCommit#writeUnderWay}), in readiness: DOWN while one write
 * has taken longer than {@code parley.operations.max-file-write} (30 s), with how long so far, since every commit that
 * waits for the file waits for it (a disk that stopped answering). Writes take milliseconds; H2's slowest measured took
 * ~1 s (docs/benchmark.md). Not in liveness: a restart does not mend a disk, as it does not mend a database outage
 * (docs/decisions.md); a writer that has stopped is {@link DatabaseFileHealth}'s.
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
        Duration underWay = groupCommit.writeUnderWay();
        boolean stuck = underWay.compareTo(maxWrite) > 0;
        builder.status(stuck ? Status.DOWN : Status.UP).withDetail("writeUnderWayMs", underWay.toMillis())
                .withDetail("maxFileWriteMs", maxWrite.toMillis());
        if (stuck) {
            builder.withDetail("writer", "a write to the file has taken " + underWay.toMillis()
                    + " ms so far: commits wait for it");
        }
    }
}
