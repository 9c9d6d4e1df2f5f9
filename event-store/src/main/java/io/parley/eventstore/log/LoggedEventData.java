package io.parley.eventstore.log;

import org.axonframework.eventhandling.DomainEventData;
import org.axonframework.serialization.SerializedMetaData;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A logged event as Axon reads stored events: the same values as Axon's {@code GenericDomainEventEntry} gives, without
 * its round trip of the timestamp through text. Axon's entry keeps the timestamp as an ISO-8601 string with
 * milliseconds, formatted when the entry is made and parsed whenever it is asked: for every event every reader read,
 * 1.4% of the server's CPU in the 5,000 msg/s profile of issue 17 (docs/benchmark.md, twenty-sixth stop). Here it
 * is the log's {@code Instant} truncated to milliseconds, as that string gave it (and as the event table stores it).
 */
record LoggedEventData(LoggedEvent event) implements DomainEventData<byte[]> {

    @Override
    public String getType() {
        return event.type();
    }

    @Override
    public String getAggregateIdentifier() {
        return event.aggregateIdentifier();
    }

    @Override
    public long getSequenceNumber() {
        return event.sequenceNumber();
    }

    @Override
    public String getEventIdentifier() {
        return event.eventIdentifier();
    }

    @Override
    public Instant getTimestamp() {
        return event.timestamp().truncatedTo(ChronoUnit.MILLIS);
    }

    @Override
    public SerializedObject<byte[]> getMetaData() {
        return new SerializedMetaData<>(event.metaData(), byte[].class);
    }

    @Override
    public SerializedObject<byte[]> getPayload() {
        return new SimpleSerializedObject<>(event.payload(), byte[].class,
                new SimpleSerializedType(event.payloadType(), event.payloadRevision()));
    }
}
