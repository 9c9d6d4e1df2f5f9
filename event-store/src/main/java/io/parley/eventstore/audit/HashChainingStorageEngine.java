package io.parley.eventstore.audit;

import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Decorates the event storage engine so every domain event is appended with {@code hash} and {@code prevHash} in its
 * metadata, chaining it to the previous event of its aggregate ({@link HashChain}). The previous hash comes from a
 * small cache (only when it is for sequence number {@code n - 1}) or else from the stored event itself. Appends to
 * one aggregate are serialized by Axon's aggregate lock on the command side, and a sequence-number clash rolls the
 * append back, so a chain cannot fork; a rolled-back append leaves nothing in the cache.
 * <p>
 * The payload is serialized here with the engine's own event serializer to hash the exact bytes that are stored, and
 * those bytes are what the engine stores (it does not serialize the payload again). A replay re-serializes to verify,
 * so the serializer must be deterministic (Jackson is; the text encryption derives its nonce from the content for
 * this reason).
 */
public class HashChainingStorageEngine implements EventStorageEngine {

    private record Link(long sequenceNumber, String hash) {
    }

    private final EventStorageEngine delegate;
    private final Serializer serializer;
    private final Map<String, Link> lastLinks;

    public HashChainingStorageEngine(EventStorageEngine delegate, Serializer serializer, int cacheSize) {
        this.delegate = delegate;
        this.serializer = serializer;
        this.lastLinks = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Link> eldest) {
                return size() > cacheSize;
            }
        });
    }

    public EventStorageEngine delegate() {
        return delegate;
    }

    @Override
    public void appendEvents(List<? extends EventMessage<?>> events) {
        Map<String, Link> batch = new HashMap<>();
        List<EventMessage<?>> chained = new ArrayList<>(events.size());
        for (EventMessage<?> event : events) {
            if (event instanceof DomainEventMessage<?> domain && domain.getAggregateIdentifier() != null) {
                String aggregateId = domain.getAggregateIdentifier();
                long seq = domain.getSequenceNumber();
                String previous = previousHash(aggregateId, seq, batch);
                SerializedObject<byte[]> payload = serializer.serialize(domain.getPayload(), byte[].class);
                String hash = hashOf(domain, payload, previous);
                batch.put(aggregateId, new Link(seq, hash));
                chained.add(new SerializedPayloadEvent<>(
                        domain.andMetaData(Map.of(AuditMetadata.HASH, hash, AuditMetadata.PREV_HASH, previous)),
                        serializer, payload));
            } else {
                chained.add(event);
            }
        }
        try {
            delegate.appendEvents(chained);
        } catch (RuntimeException e) {
            batch.keySet().forEach(lastLinks::remove);
            throw e;
        }
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(uow -> lastLinks.putAll(batch));
            CurrentUnitOfWork.get().onRollback(uow -> batch.keySet().forEach(lastLinks::remove));
        } else {
            lastLinks.putAll(batch);
        }
    }

    private static String hashOf(DomainEventMessage<?> event, SerializedObject<byte[]> payload, String previous) {
        Instant timestamp = event.getTimestamp();
        return HashChain.hash(previous, event.getAggregateIdentifier(), event.getSequenceNumber(),
                payload.getType().getName(), payload.getType().getRevision(), timestamp.toEpochMilli(),
                payload.getData(), HashChain.tree(event.getMetaData()));
    }

    private String previousHash(String aggregateId, long seq, Map<String, Link> batch) {
        if (seq <= 0) {
            return "";
        }
        Link link = batch.get(aggregateId);
        if (link == null) {
            link = lastLinks.get(aggregateId);
        }
        if (link != null && link.sequenceNumber() == seq - 1) {
            return link.hash();
        }
        // Not cached (restart, or another process appended): read the previous event's metadata.
        DomainEventStream stream = delegate.readEvents(aggregateId, seq - 1);
        while (stream.hasNext()) {
            DomainEventMessage<?> previous = stream.next();
            if (previous.getSequenceNumber() == seq - 1) {
                Object hash = previous.getMetaData().get(AuditMetadata.HASH);
                return hash == null ? "" : hash.toString();
            }
            if (previous.getSequenceNumber() >= seq) {
                break;
            }
        }
        return "";
    }

    /**
     * The chained event, carrying the payload bytes the hash was computed over, so the engine stores those bytes
     * without serializing (and encrypting) the payload a second time. Another serializer or representation
     * serializes as usual.
     */
    private static final class SerializedPayloadEvent<T> extends GenericDomainEventMessage<T> {

        private final transient Serializer serializer;
        private final transient SerializedObject<byte[]> payload;

        SerializedPayloadEvent(DomainEventMessage<T> event, Serializer serializer, SerializedObject<byte[]> payload) {
            super(event.getType(), event.getAggregateIdentifier(), event.getSequenceNumber(), event,
                    event.getTimestamp());
            this.serializer = serializer;
            this.payload = payload;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <R> SerializedObject<R> serializePayload(Serializer serializer, Class<R> expectedRepresentation) {
            if (serializer == this.serializer && expectedRepresentation == byte[].class) {
                return (SerializedObject<R>) payload;
            }
            return super.serializePayload(serializer, expectedRepresentation);
        }
    }

    @Override
    public void storeSnapshot(DomainEventMessage<?> snapshot) {
        delegate.storeSnapshot(snapshot);
    }

    @Override
    public Stream<? extends TrackedEventMessage<?>> readEvents(TrackingToken trackingToken, boolean mayBlock) {
        return delegate.readEvents(trackingToken, mayBlock);
    }

    @Override
    public DomainEventStream readEvents(String aggregateIdentifier, long firstSequenceNumber) {
        return delegate.readEvents(aggregateIdentifier, firstSequenceNumber);
    }

    @Override
    public Optional<DomainEventMessage<?>> readSnapshot(String aggregateIdentifier) {
        return delegate.readSnapshot(aggregateIdentifier);
    }

    @Override
    public Optional<Long> lastSequenceNumberFor(String aggregateIdentifier) {
        return delegate.lastSequenceNumberFor(aggregateIdentifier);
    }

    @Override
    public TrackingToken createTailToken() {
        return delegate.createTailToken();
    }

    @Override
    public TrackingToken createHeadToken() {
        return delegate.createHeadToken();
    }

    @Override
    public TrackingToken createTokenAt(Instant dateTime) {
        return delegate.createTokenAt(dateTime);
    }
}
