package io.parley.operations;

import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The event store answers: its head position is read (a query on the JDBC store, a call to Axon Server), so a store
 * that cannot be reached is DOWN with the reason.
 */
class EventStoreHealth extends AbstractHealthIndicator {

    private final EventStore eventStore;

    EventStoreHealth(EventStore eventStore) {
        super("the event store cannot be read");
        this.eventStore = eventStore;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        TrackingToken head = eventStore.createHeadToken();
        builder.up().withDetail("head", head == null ? -1 : head.position().orElse(-1));
    }
}
