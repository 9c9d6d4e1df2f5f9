package io.parley.operations;

import io.parley.eventstore.log.EventLog;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

import java.time.Duration;

/**
 * The standalone event log's writes get through ({@link EventLog#writeUnderWay}), in readiness only: DOWN while one
 * write and its force to the disk have taken longer than {@code parley.operations.max-file-write} (30 s), since every
 * send waits for it; as {@link DatabaseFileWritesHealth} is for H2's file, and for the same reason not in liveness.
 */
class EventLogWritesHealth extends AbstractHealthIndicator {

    private final EventLog log;
    private final Duration maxWrite;

    EventLogWritesHealth(EventLog log, Duration maxWrite) {
        super("the event log's writes cannot be checked");
        this.log = log;
        this.maxWrite = maxWrite;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Duration write = log.writeUnderWay();
        builder.up().withDetail("writeUnderWayMs", write.toMillis()).withDetail("maxFileWriteMs", maxWrite.toMillis());
        if (write.compareTo(maxWrite) > 0) {
            builder.down().withDetail("writer", "a write to the log has taken " + write.toMillis()
                    + " ms so far: sends wait for it");
        }
    }
}
