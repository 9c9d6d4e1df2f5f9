package io.parley.axon;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.config.AggregateConfigurer;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.common.caching.Cache;
import org.axonframework.common.caching.NoCache;
import org.axonframework.eventsourcing.AggregateSnapshotter;
import org.axonframework.eventsourcing.GenericAggregateFactory;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.annotation.ClasspathParameterResolverFactory;
import org.axonframework.messaging.annotation.FixedValueParameterResolver;
import org.axonframework.messaging.annotation.MultiParameterResolverFactory;
import org.axonframework.messaging.annotation.ParameterResolverFactory;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.modelling.command.inspection.AnnotatedAggregateMetaModelFactory;
import org.axonframework.serialization.Converter;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * Snapshots taken from the cached aggregate ({@link CachedAggregateSnapshotter}, asked by
 * {@link CachedSnapshotTriggerDefinition}), on Axon's own configuration: a caching event-sourcing repository, a
 * snapshot every {@value #THRESHOLD} events, Axon's snapshotter for what is not at hand, and Axon's in-memory storage
 * engine, which counts the reads of an aggregate's events.
 */
class CachedAggregateSnapshotterTest {

    private static final int THRESHOLD = 3;

    record Open(@TargetAggregateIdentifier String tallyId) {
    }

    record Add(@TargetAggregateIdentifier String tallyId, int amount) {
    }

    record Opened(String tallyId) {
    }

    record Added(String tallyId, int amount) {
    }

    /** Resolved by the configuration's own parameter resolvers only, as Spring beans are in Parley's aggregates. */
    record Unit(int value) {
    }

    private static final ParameterResolverFactory UNIT_RESOLVER = (executable, parameters, index) ->
            parameters[index].getType() == Unit.class ? new FixedValueParameterResolver<>(new Unit(1)) : null;

    /** A running total and the number of additions: the state a snapshot must carry. */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
    static class Tally {
        @AggregateIdentifier
        private String tallyId;
        private int total;
        private int additions;

        Tally() {
        }

        @CommandHandler
        Tally(Open command) {
            apply(new Opened(command.tallyId()));
        }

        @CommandHandler
        void handle(Add command, Unit unit) {
            apply(new Added(tallyId, command.amount() * unit.value()));
        }

        @EventSourcingHandler
        void on(Opened event) {
            tallyId = event.tallyId();
        }

        @EventSourcingHandler
        void on(Added event) {
            total += event.amount();
            additions++;
        }
    }

    /** Axon's in-memory engine, counting the reads of each aggregate's events. */
    static final class CountingEngine extends InMemoryEventStorageEngine {
        final Map<String, AtomicInteger> eventReads = new ConcurrentHashMap<>();

        @Override
        public DomainEventStream readEvents(String aggregateIdentifier, long firstSequenceNumber) {
            eventReads.computeIfAbsent(aggregateIdentifier, id -> new AtomicInteger()).incrementAndGet();
            return super.readEvents(aggregateIdentifier, firstSequenceNumber);
        }

        int eventReadsOf(String aggregateIdentifier) {
            AtomicInteger reads = eventReads.get(aggregateIdentifier);
            return reads == null ? 0 : reads.get();
        }
    }

    /**
     * The snapshotter's serializer: Axon's, running {@link #whileSerializing} (once) before it serializes, so a test
     * can act while a snapshot is being taken.
     */
    static final class WatchedSerializer implements Serializer {
        private final Serializer serializer = JacksonSerializer.defaultSerializer();
        volatile Runnable whileSerializing;

        @Override
        public <T> SerializedObject<T> serialize(Object object, Class<T> expectedRepresentation) {
            Runnable action = whileSerializing;
            whileSerializing = null;
            if (action != null) {
                action.run();
            }
            return serializer.serialize(object, expectedRepresentation);
        }

        @Override
        public <T> boolean canSerializeTo(Class<T> expectedRepresentation) {
            return serializer.canSerializeTo(expectedRepresentation);
        }

        @Override
        public <S, T> T deserialize(SerializedObject<S> serializedObject) {
            return serializer.deserialize(serializedObject);
        }

        @Override
        public Class classForType(SerializedType type) {
            return serializer.classForType(type);
        }

        @Override
        public SerializedType typeForClass(Class type) {
            return serializer.typeForClass(type);
        }

        @Override
        public Converter getConverter() {
            return serializer.getConverter();
        }
    }

    /** The snapshot thread, held: snapshots wait in {@link #queued} until a test runs them. */
    private final List<Runnable> queued = new ArrayList<>();
    private final CountingEngine engine = new CountingEngine();
    private final AggregateCache cache = new AggregateCache(100);
    private final WatchedSerializer serializer = new WatchedSerializer();
    private Configuration axon;

    @BeforeEach
    void startWithTheCache() {
        start(cache, Runnable::run, CachedAggregateSnapshotter.MAX_QUEUED_BYTES);
    }

    private void start(Cache cache, Executor snapshotThread, long maxQueuedBytes) {
        start(cache, snapshotThread, maxQueuedBytes, THRESHOLD);
    }

    private void start(Cache cache, Executor snapshotThread, long maxQueuedBytes, int threshold) {
        if (axon != null) {
            axon.shutdown();
        }
        axon = DefaultConfigurer.defaultConfiguration(false) // no Axon Server: the local command bus
                .registerComponent(ParameterResolverFactory.class, c -> MultiParameterResolverFactory.ordered(
                        ClasspathParameterResolverFactory.forClass(Tally.class), UNIT_RESOLVER))
                .configureSerializer(c -> serializer)
                .configureEmbeddedEventStore(c -> engine)
                .configureAggregate(AggregateConfigurer.defaultConfiguration(Tally.class)
                        .configureCache(c -> cache)
                        .configureSnapshotTrigger(c -> new CachedSnapshotTriggerDefinition(
                                new CachedAggregateSnapshotter(cache, axonsSnapshotter(c), c.eventStore(), serializer,
                                        NoTransactionManager.INSTANCE, snapshotThread, c.parameterResolverFactory(),
                                        c.handlerDefinition(Tally.class), maxQueuedBytes), threshold)))
                .buildConfiguration();
        axon.start();
    }

    private static AggregateSnapshotter axonsSnapshotter(Configuration c) {
        return AggregateSnapshotter.builder().eventStore(c.eventStore())
                .parameterResolverFactory(c.parameterResolverFactory()).handlerDefinition(c.handlerDefinition(Tally.class))
                .aggregateFactories(new GenericAggregateFactory<>(AnnotatedAggregateMetaModelFactory.inspectAggregate(
                        Tally.class, c.parameterResolverFactory(), c.handlerDefinition(Tally.class))))
                .executor(Runnable::run).build();
    }

    @AfterEach
    void stop() {
        axon.shutdown();
    }

    private void send(Object command) {
        axon.commandGateway().sendAndWait(command);
    }

    private Optional<DomainEventMessage<?>> snapshot() {
        return engine.readSnapshot("t-1");
    }

    @Test
    void aCachedAggregateIsSnapshottedAsTheCommandLeavesItWithoutReadingItsEventsBack() {
        send(new Open("t-1"));
        send(new Add("t-1", 5));
        send(new Add("t-1", 7)); // the third event: the threshold

        DomainEventMessage<?> snapshot = snapshot().orElseThrow();
        assertThat(snapshot.getSequenceNumber()).isEqualTo(2);
        assertThat(snapshot.getType()).isEqualTo("Tally");
        assertThat(snapshot.getPayload()).usingRecursiveComparison().isEqualTo(tally("t-1", 12, 2));
        assertThat(engine.eventReadsOf("t-1")).as("events of t-1 read back").isZero();
    }

    @Test
    void anAggregateLoadedFromItsSnapshotCarriesOnFromTheStateTheCacheHeld() {
        send(new Open("t-1"));
        send(new Add("t-1", 5));
        send(new Add("t-1", 7)); // the first snapshot, at sequence number 2
        cache.removeAll();

        send(new Add("t-1", 1));
        send(new Add("t-1", 2));
        send(new Add("t-1", 3));

        DomainEventMessage<?> snapshot = snapshot().orElseThrow();
        assertThat(snapshot.getSequenceNumber()).as("a second snapshot").isGreaterThan(2);
        assertThatSnapshotIsTheStateAfter(snapshot, 5, 7, 1, 2, 3);
        assertThat(engine.eventReadsOf("t-1")).as("the one load after the cache was emptied").isEqualTo(1);
    }

    @Test
    void noSnapshotHoldsWhatAUnitOfWorkRolledBack() {
        send(new Open("t-1"));
        send(new Add("t-1", 5));
        DefaultUnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(null);
        axon.commandBus().dispatch(GenericCommandMessage.asCommandMessage(new Add("t-1", 7))); // the threshold
        unitOfWork.rollback();

        // Axon's snapshotter may snapshot what was committed, as it would without this one
        snapshot().ifPresent(s -> assertThatSnapshotIsTheStateAfter(s, 5));
        send(new Add("t-1", 9));
        send(new Add("t-1", 1));
        send(new Add("t-1", 1));
        DomainEventMessage<?> snapshot = snapshot().orElseThrow();
        assertThat(snapshot.getSequenceNumber()).isGreaterThan(1);
        assertThatSnapshotIsTheStateAfter(snapshot, 5, 9, 1, 1);
    }

    @Test
    void aCreatingCommandThatCrossesTheThresholdIsSnapshottedFromTheCache() {
        start(cache, Runnable::run, CachedAggregateSnapshotter.MAX_QUEUED_BYTES, 1); // every event crosses it

        send(new Open("t-1"));

        assertThatSnapshotIs(0, 0, 0);
        assertThat(engine.eventReadsOf("t-1")).as("events of t-1 read back").isZero();
    }

    @Test
    void aThresholdBelowOneIsRefused() {
        assertThatThrownBy(() -> new CachedSnapshotTriggerDefinition((type, id) -> {
        }, 0)).hasMessage("the snapshot threshold must be positive, was 0");
    }

    @Test
    void anAggregateWhoseReplayCrossedTheThresholdIsSnapshottedFromItsEventsOnceItsCommandCommitted() {
        send(new Open("t-1"));
        storePastTheCache(1, 2, 3); // a load replays four events: the threshold crossed during the replay
        cache.removeAll();

        send(new Add("t-1", 10));

        assertThatSnapshotIs(4, 16, 4);
        assertThat(engine.eventReadsOf("t-1")).as("the load, then Axon's snapshotter").isEqualTo(2);
    }

    @Test
    void aSnapshotNeverHoldsAnEventThatAnotherThreadAppliedAndRolledBack() throws Exception {
        send(new Open("t-1"));
        storePastTheCache(1, 2, 3);
        cache.removeAll(); // the next command's load replays past the threshold
        ExecutorService otherThread = Executors.newSingleThreadExecutor();
        CountDownLatch applied = new CountDownLatch(1);
        CountDownLatch rollBack = new CountDownLatch(1);
        try {
            // should the snapshot be serialized where the lock is already released, another command on the same
            // conversation applies an event meanwhile, and rolls back once the snapshot was taken
            serializer.whileSerializing = () -> {
                otherThread.submit(() -> {
                    DefaultUnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(null);
                    axon.commandBus().dispatch(GenericCommandMessage.asCommandMessage(new Add("t-1", 100)));
                    applied.countDown();
                    awaitQuietly(rollBack);
                    unitOfWork.rollback();
                });
                awaitQuietly(applied);
            };

            send(new Add("t-1", 10));
        } finally {
            rollBack.countDown();
            otherThread.shutdown();
            assertThat(otherThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        DomainEventMessage<?> snapshot = snapshot().orElseThrow();
        long lastCommitted = engine.readEvents("t-1").asStream().mapToLong(DomainEventMessage::getSequenceNumber)
                .max().orElseThrow();
        assertThat(snapshot.getSequenceNumber()).as("no further than the last committed event")
                .isLessThanOrEqualTo(lastCommitted);
        assertThatSnapshotIsTheStateAfter(snapshot, 1, 2, 3, 10);
    }

    @Test
    void aSnapshotLargerThanTheBoundIsTakenByAxonsSnapshotterFromTheEvents() {
        start(cache, Runnable::run, 10); // every snapshot of a tally is larger than 10 bytes
        send(new Open("t-1"));
        send(new Add("t-1", 5));
        send(new Add("t-1", 7));

        assertThatSnapshotIs(2, 12, 2);
        assertThat(engine.eventReadsOf("t-1")).as("Axon's snapshotter").isEqualTo(1);
    }

    @Test
    void snapshotsBeyondTheBoundAreDroppedUntilTheWaitingOnesAreStored() {
        long oneSnapshot = serializer.serialize(tally("t-1", 12, 2), byte[].class).getData().length;
        start(cache, queued::add, oneSnapshot * 3 / 2); // room for one snapshot of t-1 waiting, not two
        send(new Open("t-1"));
        send(new Add("t-1", 5));
        send(new Add("t-1", 7)); // the first snapshot: waits
        send(new Add("t-1", 1));
        send(new Add("t-1", 2));
        send(new Add("t-1", 3)); // the second: dropped
        assertThat(queued).hasSize(1);

        queued.remove(0).run();
        assertThat(snapshot().orElseThrow().getSequenceNumber()).isEqualTo(2);
        send(new Add("t-1", 4));
        send(new Add("t-1", 5));
        send(new Add("t-1", 6)); // the third: waits, as its room was given back
        assertThat(queued).hasSize(1);
        queued.remove(0).run();

        DomainEventMessage<?> snapshot = snapshot().orElseThrow();
        assertThat(snapshot.getSequenceNumber()).isEqualTo(8);
        assertThatSnapshotIsTheStateAfter(snapshot, 5, 7, 1, 2, 3, 4, 5, 6);
        assertThat(engine.eventReadsOf("t-1")).as("no snapshot taken from the events").isZero();
    }

    @Test
    void withoutTheAggregateInTheCacheAxonsSnapshotterTakesTheSnapshotFromTheEvents() {
        start(NoCache.INSTANCE, Runnable::run, CachedAggregateSnapshotter.MAX_QUEUED_BYTES);
        send(new Open("t-1"));
        send(new Add("t-1", 5));
        send(new Add("t-1", 7));

        assertThatSnapshotIs(2, 12, 2);
        assertThat(engine.eventReadsOf("t-1")).as("two loads, then Axon's snapshotter").isEqualTo(3);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void storePastTheCache(int... amounts) {
        for (int seq = 1; seq <= amounts.length; seq++) {
            axon.eventStore().publish(new GenericDomainEventMessage<>("Tally", "t-1", seq,
                    new Added("t-1", amounts[seq - 1])));
        }
    }

    /** The stored snapshot is at this sequence number and holds this tally. */
    private void assertThatSnapshotIs(long sequenceNumber, int total, int additions) {
        DomainEventMessage<?> snapshot = snapshot().orElseThrow();
        assertThat(snapshot.getSequenceNumber()).isEqualTo(sequenceNumber);
        assertThat(snapshot.getPayload()).usingRecursiveComparison().isEqualTo(tally("t-1", total, additions));
    }

    /** The snapshot holds the tally after the opening and as many of these additions as its sequence number says. */
    private static void assertThatSnapshotIsTheStateAfter(DomainEventMessage<?> snapshot, int... amounts) {
        int additions = (int) snapshot.getSequenceNumber();
        assertThat(additions).isLessThanOrEqualTo(amounts.length);
        assertThat(snapshot.getPayload()).usingRecursiveComparison()
                .isEqualTo(tally("t-1", Arrays.stream(amounts, 0, additions).sum(), additions));
    }

    private static Tally tally(String id, int total, int additions) {
        Tally tally = new Tally();
        tally.tallyId = id;
        tally.total = total;
        tally.additions = additions;
        return tally;
    }
}
