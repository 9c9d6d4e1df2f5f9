package io.parley.operations;

import io.parley.eventstore.h2.GroupCommit;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The standalone H2 file's writer ({@link GroupCommit}) runs: once it has stopped (an exception or an interrupt ended
 * its thread), every commit that waits for the file fails until a restart, so this is DOWN, with what stopped it, in
 * both liveness and readiness. UP with the file writes and the commits they served.
 */
class DatabaseFileHealth extends AbstractHealthIndicator {

    private final GroupCommit groupCommit;

    DatabaseFileHealth(GroupCommit groupCommit) {
        super("the database file's writer cannot be checked");
        this.groupCommit = groupCommit;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (groupCommit.writerStopped()) {
            Throwable failure = groupCommit.writerFailure();
            builder.down().withDetail("writer", "stopped: commits fail until a restart").withDetail("reason",
                    failure == null ? "interrupted" : failure.getClass().getName() + ": " + failure.getMessage());
            return;
        }
        long[] writesAndCommits = groupCommit.writesAndCommits();
        builder.up().withDetail("writes", writesAndCommits[0]).withDetail("commits", writesAndCommits[1]);
    }
}
