package io.parley.operations;

import io.parley.eventstore.log.EventLog;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The standalone event log's writer ({@link EventLog}, {@code parley.event-store=log}) runs: once a write has failed the
 * log accepts no append until a restart, so this is DOWN, with the reason, in liveness and readiness, as
 * {@link DatabaseFileHealth} is for H2's writer. UP with the events and the writes that carried them.
 */
class EventLogHealth extends AbstractHealthIndicator {

    private final EventLog log;

    EventLogHealth(EventLog log) {
        super("the event log's writer cannot be checked");
        this.log = log;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Exception failure = log.failure();
        if (failure != null) {
            builder.down().withDetail("writer", "a write failed: appends fail until a restart")
                    .withDetail("reason", failure.getClass().getName() + ": " + failure.getMessage());
            return;
        }
        builder.up().withDetail("events", log.size()).withDetail("writes", log.writes());
    }
}
