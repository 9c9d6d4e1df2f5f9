package io.parley.axon;

import org.axonframework.common.IdentifierFactory;
import org.axonframework.common.caching.Cache;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.AggregateCacheEntry;
import org.axonframework.eventsourcing.EventSourcedAggregate;
import org.axonframework.eventsourcing.NoSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.annotation.HandlerDefinition;
import org.axonframework.messaging.annotation.ParameterResolverFactory;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.modelling.command.inspection.AggregateModel;
import org.axonframework.modelling.command.inspection.AnnotatedAggregateMetaModelFactory;
import org.axonframework.serialization.LazyDeserializingObject;
import org.axonframework.serialization.SerializedMessage;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Snapshots a cached aggregate as the command that crossed its snapshot threshold leaves it, instead of reading its
 * events back.
 * <p>
 * Axon's {@code AggregateSnapshotter} reads the last snapshot and every event since from the event store on its own
 * thread, deserializes them (and decrypts their texts), applies them to a new aggregate and serializes that: with a
 * threshold of N events, every event is read and deserialized a second time, N at a time. In the benchmark's profile at
 * 3,000 msg/s (docs/benchmark.md, issue 17's twenty-third stop) that thread took about 5% of the server's CPU, in bursts
 * of 9% when conversations of equal traffic crossed the threshold together, half of it reading the events back.
 * <p>
 * {@link CachedSnapshotTriggerDefinition} asks for the snapshot on the thread that handles the aggregate (a command
 * lane), in the prepare-commit phase of the unit of work that crossed the threshold, while that unit of work holds the
 * aggregate's lock and after the caching repository has put the aggregate into the {@link Cache}. The aggregate is
 * serialized there, with the serializer the event store uses for snapshots, and the bytes are stored by the snapshot
 * thread once the unit of work has committed: a unit of work that rolls back stores nothing, and the storage engine
 * stores a snapshot only once the events it was made of are written. Anywhere else the aggregate is not safely at hand
 * (no unit of work, another phase, no cache entry: the threshold crossed in a load's replay, before the repository
 * put the aggregate into the cache), and Axon's snapshotter takes the snapshot from the events as before. In the
 * clean-up phase, where Axon's own trigger asks for aggregates it calls uninitialized, the lock may already be released
 * and another thread could change the cached aggregate while it is serialized.
 * <p>
 * Snapshots waiting to be stored hold their bytes: beyond a bound ({@value #MAX_QUEUED_BYTES} bytes in Parley)
 * waiting, a new one is dropped (a snapshot only saves replay time; the next threshold asks again), as Axon's
 * snapshotter drops requests when its queue is full. A single snapshot larger than the bound is left to Axon's
 * snapshotter, which holds no bytes while it waits.
 */
final class CachedAggregateSnapshotter implements Snapshotter {

    private static final Logger log = LoggerFactory.getLogger(CachedAggregateSnapshotter.class);
    /** The bound Parley uses (ParleyAxonAutoConfiguration). */
    static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;

    private final Cache cache;
    private final Snapshotter fallback;
    private final EventStore eventStore;
    private final Serializer serializer;
    private final TransactionManager transactionManager;
    private final Executor executor;
    private final ParameterResolverFactory parameterResolverFactory;
    private final HandlerDefinition handlerDefinition;
    private final Map<Class<?>, AggregateModel<?>> models = new ConcurrentHashMap<>();
    private final long maxQueuedBytes;
    private final AtomicLong queuedBytes = new AtomicLong();

    /**
     * @param cache              the aggregate's cache, the one its repository puts it into
     * @param fallback           Axon's snapshotter, for when the aggregate is not at hand
     * @param eventStore         where the snapshot is stored
     * @param serializer         the serializer the event store's engine uses for snapshots (the same instance: the
     *                           engine then stores these bytes as they are)
     * @param transactionManager the transaction each snapshot is stored in
     * @param executor           the thread that stores the snapshots; one that refuses a task (shut down) drops
     *                           that snapshot, one that discards it silently would leave its bytes counted
     * @param parameterResolverFactory and
     * @param handlerDefinition  the aggregate's handlers' as the repository resolves them (Spring beans as handler
     *                           parameters included), for Axon's model of the aggregate
     * @param maxQueuedBytes     the serialized bytes snapshots waiting to be stored may hold together
     *                           ({@link #MAX_QUEUED_BYTES} in Parley)
     */
    CachedAggregateSnapshotter(Cache cache, Snapshotter fallback, EventStore eventStore, Serializer serializer,
                               TransactionManager transactionManager, Executor executor,
                               ParameterResolverFactory parameterResolverFactory, HandlerDefinition handlerDefinition,
                               long maxQueuedBytes) {
        this.cache = cache;
        this.fallback = fallback;
        this.eventStore = eventStore;
        this.serializer = serializer;
        this.transactionManager = transactionManager;
        this.executor = executor;
        this.parameterResolverFactory = parameterResolverFactory;
        this.handlerDefinition = handlerDefinition;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    @Override
    public void scheduleSnapshot(Class<?> aggregateType, String aggregateIdentifier) {
        UnitOfWork<?> unitOfWork = CurrentUnitOfWork.isStarted() ? CurrentUnitOfWork.get() : null;
        boolean preparing = unitOfWork != null && unitOfWork.phase() == UnitOfWork.Phase.PREPARE_COMMIT;
        EventSourcedAggregate<?> aggregate;
        SerializedObject<byte[]> payload;
        try {
            aggregate = preparing ? cached(aggregateType, aggregateIdentifier) : null;
            if (aggregate != null && aggregate.isDeleted()) {
                return;
            }
            payload = aggregate == null ? null : serializer.serialize(aggregate.getAggregateRoot(), byte[].class);
        } catch (RuntimeException e) {
            log.warn("the snapshot of {} could not be taken from the cache; Axon's snapshotter takes it from the events",
                    aggregateIdentifier, e);
            aggregate = null;
            payload = null;
        }
        if (payload == null || payload.getData().length > maxQueuedBytes) {
            fallback.scheduleSnapshot(aggregateType, aggregateIdentifier);
            return;
        }
        DomainEventMessage<?> snapshot = new GenericDomainEventMessage<>(aggregate.type(), aggregateIdentifier,
                aggregate.version(), new SerializedMessage<>(IdentifierFactory.getInstance().generateIdentifier(),
                new LazyDeserializingObject<>(payload, serializer),
                new LazyDeserializingObject<>(MetaData.emptyInstance())), GenericEventMessage.clock.instant());
        long bytes = payload.getData().length;
        unitOfWork.afterCommit(committedUnitOfWork -> store(snapshot, bytes));
    }

    /** The live aggregate, from the entry its repository put into the cache, or null when the cache has none. */
    private EventSourcedAggregate<?> cached(Class<?> aggregateType, String aggregateIdentifier) {
        if (!(cache.get(aggregateIdentifier) instanceof AggregateCacheEntry<?> entry)) {
            return null;
        }
        // the entry of an in-memory cache holds the aggregate itself; the model only serves an entry that was
        // serialized (a distributed cache), around whose root Axon then builds the aggregate again
        EventSourcedAggregate<?> aggregate = entry.recreateAggregate(model(aggregateType), eventStore,
                NoSnapshotTriggerDefinition.INSTANCE);
        return aggregateType.isInstance(aggregate.getAggregateRoot()) ? aggregate : null;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private AggregateModel model(Class<?> aggregateType) {
        return models.computeIfAbsent(aggregateType, type -> AnnotatedAggregateMetaModelFactory.inspectAggregate(type,
                parameterResolverFactory, handlerDefinition));
    }

    private void store(DomainEventMessage<?> snapshot, long bytes) {
        if (queuedBytes.addAndGet(bytes) > maxQueuedBytes) {
            queuedBytes.addAndGet(-bytes);
            log.debug("snapshot of {} at {} dropped: {} bytes of snapshots wait to be stored",
                    snapshot.getAggregateIdentifier(), snapshot.getSequenceNumber(), queuedBytes.get());
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    transactionManager.executeInTransaction(() -> eventStore.storeSnapshot(snapshot));
                } catch (RuntimeException e) {
                    log.warn("the snapshot of {} at {} was not stored", snapshot.getAggregateIdentifier(),
                            snapshot.getSequenceNumber(), e);
                } finally {
                    queuedBytes.addAndGet(-bytes);
                }
            });
        } catch (RuntimeException e) { // the executor refused it (shut down)
            queuedBytes.addAndGet(-bytes);
            log.debug("snapshot of {} at {} not taken: {}", snapshot.getAggregateIdentifier(),
                    snapshot.getSequenceNumber(), e.toString());
        }
    }
}
