package io.parley.eventstore.log;

import io.parley.eventstore.audit.EventHistory;
import io.parley.eventstore.audit.StoredEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The {@link EventHistory} of the event log: only events on the disk, with the log's positions as their global index,
 * and, as the JDBC table has it, an event no aggregate published under its own id.
 */
final class LogEventHistory implements EventHistory {

    private final EventLog events;

    LogEventHistory(EventLog events) {
        this.events = events;
    }

    @Override
    public List<StoredEvent> page(String aggregateId, long afterSequence, int limit) {
        try {
            return events.readAggregate(aggregateId, afterSequence + 1, limit, false).stream()
                    .map(LogEventHistory::stored).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the event log", e);
        }
    }

    @Override
    public List<StoredEvent> globalPage(long afterIndex, int limit) {
        try {
            return events.readAfter(afterIndex, limit).stream().map(LogEventHistory::stored).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the event log", e);
        }
    }

    private static StoredEvent stored(LoggedEvent event) {
        return new StoredEvent(event.position(), event.eventIdentifier(),
                event.aggregateIdentifier() == null ? event.eventIdentifier() : event.aggregateIdentifier(),
                event.sequenceNumber(), event.type(), event.timestamp().toString(), event.payloadType(),
                event.payloadRevision(), event.payload(), event.metaData());
    }
}
