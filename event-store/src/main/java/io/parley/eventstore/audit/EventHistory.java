package io.parley.eventstore.audit;

import java.util.List;

/**
 * Read-only access to the stored events for audit: one aggregate's events in order, a page at a time, with their
 * global index (which Axon's {@code readEvents(aggregateId)} does not expose), as stored: the payload and meta-data
 * bytes the event serializer wrote, before any upcaster. Callers page with the last sequence number they saw, so
 * memory stays constant however long the conversation is. Implemented on the JDBC event table
 * ({@link JdbcEventHistory}) and on the standalone event log ({@code LogEventHistory}).
 */
public interface EventHistory {

    /** Up to {@code limit} events of the aggregate with a sequence number above {@code afterSequence}, in order. */
    List<StoredEvent> page(String aggregateId, long afterSequence, int limit);

    /** Up to {@code limit} events of the global stream after {@code afterIndex}, in order. */
    List<StoredEvent> globalPage(long afterIndex, int limit);
}
