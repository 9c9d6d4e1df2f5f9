package io.parley.eventstore.audit;

import java.time.Instant;

/**
 * One row of the event table as stored: the raw payload and metadata bytes (JSON from the Jackson serializer).
 *
 * @param globalIndex the event's position in the global stream (the tracking token's index)
 */
public record StoredEvent(long globalIndex, String eventIdentifier, String aggregateIdentifier, long sequenceNumber,
                          String aggregateType, String timestamp, String payloadType, String payloadRevision,
                          byte[] payload, byte[] metadata) {

    public Instant instant() {
        return Instant.parse(timestamp);
    }
}
