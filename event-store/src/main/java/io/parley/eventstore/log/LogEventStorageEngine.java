package io.parley.eventstore.log;

import org.axonframework.common.AxonConfigurationException;
import org.axonframework.eventhandling.DomainEventData;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackedDomainEventData;
import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.AbstractEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Axon's {@code EventStorageEngine} on two {@link EventLog}s, one for events and one for snapshots: what Axon's JDBC
 * engine keeps in {@code DomainEventEntry} and {@code SnapshotEventEntry}, with the same serialized columns, the same
 * global index (the log's position) and the same tokens ({@link GapAwareTrackingToken}, so tokens stored by
 * processors stay valid when a store moves to the log with its positions).
 * <p>
 * {@link #appendEvents} returns once the events are on the disk (the log's group commit); an event whose aggregate
 * already has its sequence number fails with Axon's {@link ConcurrencyException} (or
 * {@link AggregateStreamCreationException} for a first event), as the JDBC engine's unique key does. A stream of
 * tracked events holds only events on the disk. A snapshot whose sequence number is not above the aggregate's last
 * snapshot is left out (the last one is what {@link #readSnapshot} gives).
 */
public final class LogEventStorageEngine extends AbstractEventStorageEngine {

    /** Events read from the file per step of a tracked stream. */
    private static final int BATCH = 256;
    /** How long a stream that may block waits at its end for another event before it ends. */
    private static final Duration BLOCK = Duration.ofSeconds(1);

    /**
     * The root unit of work's resource, a {@code List<CompletableFuture<Void>>}, into which appends put their writes
     * instead of waiting for them ({@link #appendEvents}).
     */
    public static final String DEFERRED_WRITES = LogEventStorageEngine.class.getName() + ".deferredWrites";

    private final EventLog events;
    private final EventLog snapshots;

    private LogEventStorageEngine(Builder builder) {
        super(builder);
        this.events = builder.events;
        this.snapshots = builder.snapshots;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Appends the events. When the root unit of work holds a list under {@link #DEFERRED_WRITES} (a command batch whose
     * senders are answered once its commit is durable: the standalone application's {@code DeferredCommit}), the
     * write's future goes into it and this returns once the log has accepted them; otherwise it waits until they are on
     * the disk. Accepted events are what the aggregate's next command reads, as a commit is in H2 before its file
     * write.
     */
    @Override
    protected void appendEvents(List<? extends EventMessage<?>> events, Serializer serializer) {
        List<LoggedEvent> logged = events.stream().map(event -> toLogged(event, serializer)).toList();
        try {
            List<CompletableFuture<Void>> deferred = CurrentUnitOfWork.isStarted()
                    ? CurrentUnitOfWork.get().root().getResource(DEFERRED_WRITES) : null;
            if (deferred != null) {
                deferred.add(accepted(() -> this.events.append(logged), "the events"));
            } else {
                awaitWritten(() -> this.events.append(logged), "the events");
            }
        } catch (EventLog.SequenceConflict conflict) {
            LoggedEvent event = conflict.event();
            String message = "An event for aggregate [" + event.aggregateIdentifier() + "] at sequence ["
                    + event.sequenceNumber() + "] was already inserted";
            throw event.sequenceNumber() == 0 ? new AggregateStreamCreationException(message, conflict)
                    : new ConcurrencyException(message, conflict);
        }
    }

    /**
     * Stores the snapshot once the events it was made of are on the disk: an aggregate is read with the events the log
     * accepted and has not yet written, and the snapshot log is another file, so a snapshot stored first could outlive
     * those events in a power loss (and answer a resent command from a message the log never held). A failed events
     * log stores no snapshot.
     */
    @Override
    protected void storeSnapshot(DomainEventMessage<?> snapshot, Serializer serializer) {
        awaitWritten(events::written, "the events before the snapshot");
        try {
            awaitWritten(() -> snapshots.append(List.of(toLogged(snapshot, serializer))), "the snapshot");
        } catch (EventLog.SequenceConflict olderThanTheLast) {
            // a snapshot at or before the stored one adds nothing
        }
    }

    /** Appends and waits until it is on the disk; a closed or failed log, or a failed write, is Axon's exception. */
    private static void awaitWritten(Supplier<CompletableFuture<Void>> append, String what) {
        try {
            accepted(append, what).join();
        } catch (CompletionException e) {
            throw (EventStoreException) e.getCause();
        }
    }

    /**
     * Appends; the future completes once it is on the disk, or fails with Axon's exception. A closed or failed log
     * throws it at once.
     */
    private static CompletableFuture<Void> accepted(Supplier<CompletableFuture<Void>> append, String what) {
        try {
            return append.get().exceptionallyCompose(failed -> CompletableFuture.failedFuture(
                    notWritten(what, failed instanceof CompletionException ? failed.getCause() : failed)));
        } catch (IllegalStateException e) {
            throw notWritten(what, e);
        }
    }

    private static EventStoreException notWritten(String what, Throwable cause) {
        return new EventStoreException(what + " could not be written to the event log: " + cause.getMessage(), cause);
    }

    private static LoggedEvent toLogged(EventMessage<?> event, Serializer serializer) {
        SerializedObject<byte[]> payload = event.serializePayload(serializer, byte[].class);
        SerializedObject<byte[]> metaData = event.serializeMetaData(serializer, byte[].class);
        String type = null;
        String aggregateIdentifier = null;
        long sequenceNumber = 0;
        if (event instanceof DomainEventMessage<?> domainEvent && domainEvent.getAggregateIdentifier() != null) {
            type = domainEvent.getType();
            aggregateIdentifier = domainEvent.getAggregateIdentifier();
            sequenceNumber = domainEvent.getSequenceNumber();
        }
        return new LoggedEvent(0, event.getIdentifier(), type, aggregateIdentifier, sequenceNumber,
                event.getTimestamp(), payload.getType().getName(), payload.getType().getRevision(), payload.getData(),
                metaData.getData());
    }

    @Override
    protected Stream<? extends DomainEventData<?>> readEventData(String identifier, long firstSequenceNumber) {
        try {
            return events.readAggregate(identifier, firstSequenceNumber).stream()
                    .map(LoggedEventData::new);
        } catch (IOException e) {
            throw new EventStoreException("The aggregate's events could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    protected Stream<? extends DomainEventData<?>> readSnapshotData(String aggregateIdentifier) {
        try {
            OptionalLong last = snapshots.lastSequenceNumber(aggregateIdentifier);
            if (last.isEmpty()) {
                return Stream.empty();
            }
            List<LoggedEvent> stored = snapshots.readAggregate(aggregateIdentifier, last.getAsLong());
            return stored.isEmpty() ? Stream.empty() : Stream.of(new LoggedEventData(stored.get(stored.size() - 1)));
        } catch (IOException e) {
            throw new EventStoreException("The snapshot could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    protected Stream<? extends TrackedEventData<?>> readEventData(TrackingToken trackingToken, boolean mayBlock) {
        return StreamSupport.stream(new Tracked(trackingToken instanceof GapAwareTrackingToken gapAware ? gapAware
                : asGapAware(trackingToken), mayBlock), false);
    }

    private static GapAwareTrackingToken asGapAware(TrackingToken token) {
        if (token == null) {
            return null;
        }
        if (token instanceof GlobalSequenceTrackingToken global) {
            return GapAwareTrackingToken.newInstance(global.getGlobalIndex(), Collections.emptySortedSet());
        }
        OptionalLong position = token.position();
        if (position.isEmpty()) {
            throw new IllegalArgumentException("a token without a position cannot be read from the event log: "
                    + token);
        }
        return GapAwareTrackingToken.newInstance(position.getAsLong(), Collections.emptySortedSet());
    }

    /**
     * The events after a token, read from the file a batch at a time. A token with gaps (from a store whose positions
     * were committed out of order) is read from its lowest gap, and of the events below its index only those in a gap
     * are given; the log never gets a position below one it holds, so every gap at or below an event given is closed.
     */
    private final class Tracked extends Spliterators.AbstractSpliterator<TrackedEventData<?>> {
        private final boolean mayBlock;
        private final ArrayDeque<LoggedEvent> batch = new ArrayDeque<>();
        private GapAwareTrackingToken token;
        private long readAfter;
        private boolean waited;

        private Tracked(GapAwareTrackingToken token, boolean mayBlock) {
            super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
            this.token = token;
            this.mayBlock = mayBlock;
            this.readAfter = token == null ? Long.MIN_VALUE
                    : token.getGaps().isEmpty() ? token.getIndex() : token.getGaps().first() - 1;
        }

        @Override
        public boolean tryAdvance(Consumer<? super TrackedEventData<?>> action) {
            LoggedEvent next = next();
            if (next == null) {
                return false;
            }
            long position = next.position();
            token = token == null || position > token.getIndex()
                    ? GapAwareTrackingToken.newInstance(position, Collections.emptySortedSet())
                    : GapAwareTrackingToken.newInstance(token.getIndex(), token.getGaps().tailSet(position + 1));
            action.accept(new TrackedDomainEventData<>(token, new LoggedEventData(next)));
            return true;
        }

        private LoggedEvent next() {
            while (true) {
                while (!batch.isEmpty()) {
                    LoggedEvent event = batch.poll();
                    if (token == null || event.position() > token.getIndex()
                            || token.getGaps().contains(event.position())) {
                        return event;
                    }
                }
                try {
                    List<LoggedEvent> read = events.readAfter(readAfter, BATCH);
                    if (!read.isEmpty()) {
                        batch.addAll(read);
                        readAfter = read.get(read.size() - 1).position();
                        continue;
                    }
                    if (!mayBlock || waited || !events.awaitAfter(readAfter, BLOCK)) {
                        return null;
                    }
                    waited = true;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    @Override
    public Optional<Long> lastSequenceNumberFor(String aggregateIdentifier) {
        OptionalLong last = events.lastSequenceNumber(aggregateIdentifier);
        return last.isPresent() ? Optional.of(last.getAsLong()) : Optional.empty();
    }

    @Override
    public TrackingToken createTailToken() {
        OptionalLong first = events.firstPosition();
        return first.isEmpty() ? null
                : GapAwareTrackingToken.newInstance(first.getAsLong() - 1, Collections.emptySortedSet());
    }

    @Override
    public TrackingToken createHeadToken() {
        OptionalLong last = events.lastPosition();
        return last.isEmpty() ? null : GapAwareTrackingToken.newInstance(last.getAsLong(), Collections.emptySortedSet());
    }

    /**
     * The token before the first event stored at or after {@code dateTime} (the head's when there is none), found by
     * a binary search over the log: timestamps follow the log's order to within the time commands of several lanes
     * take to be appended (milliseconds), so the token can be that much early or late, as the JDBC engine's query by
     * timestamp can.
     */
    @Override
    public TrackingToken createTokenAt(Instant dateTime) {
        try {
            int low = 0;
            int high = events.size(); // first index whose event is at or after dateTime, searched in [low, high]
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (events.readIndex(middle).timestamp().isBefore(dateTime)) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            if (low == events.size()) {
                return createHeadToken();
            }
            return GapAwareTrackingToken.newInstance(events.readIndex(low).position() - 1,
                    Collections.emptySortedSet());
        } catch (IOException e) {
            throw new EventStoreException("The event log could not be read: " + e.getMessage(), e);
        }
    }

    /** Builds the engine; the logs are opened (and closed) by whoever gives them. */
    public static final class Builder extends AbstractEventStorageEngine.Builder {
        private EventLog events;
        private EventLog snapshots;

        public Builder events(EventLog events) {
            this.events = events;
            return this;
        }

        public Builder snapshots(EventLog snapshots) {
            this.snapshots = snapshots;
            return this;
        }

        @Override
        public Builder eventSerializer(Serializer eventSerializer) {
            super.eventSerializer(eventSerializer);
            return this;
        }

        @Override
        public Builder snapshotSerializer(Serializer snapshotSerializer) {
            super.snapshotSerializer(snapshotSerializer);
            return this;
        }

        public LogEventStorageEngine build() {
            return new LogEventStorageEngine(this);
        }

        @Override
        protected void validate() {
            super.validate();
            if (events == null || snapshots == null) {
                throw new AxonConfigurationException(
                        "the event log and the snapshot log are both required");
            }
        }
    }
}
