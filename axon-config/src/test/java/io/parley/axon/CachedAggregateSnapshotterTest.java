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
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
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
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * Snapshots taken from the cached aggregate ({@link CachedAggregateSnapshotter}), on Axon's own configuration: a
 * caching event-sourcing repository, its snapshot trigger every {@value #THRESHOLD} events, Axon's snapshotter for
 * what is not at hand, and Axon's in-memory storage engine, which counts the reads of an aggregate's events.
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

    private final CountingEngine engine = new CountingEngine();
    private final AggregateCache cache = new AggregateCache(100);
    private Configuration axon;

    @BeforeEach
    void startWithTheCache() {
        start(cache);
    }

    private void start(Cache cache) {
        if (axon != null) {
            axon.shutdown();
        }
        JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
        axon = DefaultConfigurer.defaultConfiguration(false) // no Axon Server: the local command bus
                .registerComponent(ParameterResolverFactory.class, c -> MultiParameterResolverFactory.ordered(
                        ClasspathParameterResolverFactory.forClass(Tally.class), UNIT_RESOLVER))
                .configureSerializer(c -> serializer)
                .configureEmbeddedEventStore(c -> engine)
                .configureAggregate(AggregateConfigurer.defaultConfiguration(Tally.class)
                        .configureCache(c -> cache)
                        .configureSnapshotTrigger(c -> new EventCountSnapshotTriggerDefinition(
                                new CachedAggregateSnapshotter(cache, axonsSnapshotter(c), c.eventStore(), serializer,
                                        NoTransactionManager.INSTANCE, Runnable::run, c.parameterResolverFactory(),
                                        c.handlerDefinition(Tally.class)), THRESHOLD)))
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
    void anAggregateWhoseReplayCrossedTheThresholdIsSnapshottedFromTheCacheOnceItsCommandCommitted() {
        send(new Open("t-1"));
        storePastTheCache(1, 2, 3); // a load replays four events: the threshold crossed during the replay
        cache.removeAll();

        send(new Add("t-1", 10));

        DomainEventMessage<?> snapshot = snapshot().orElseThrow();
        assertThat(snapshot.getSequenceNumber()).isEqualTo(4);
        assertThat(snapshot.getPayload()).usingRecursiveComparison().isEqualTo(tally("t-1", 16, 4));
        assertThat(engine.eventReadsOf("t-1")).as("the load only").isEqualTo(1);
    }

    @Test
    void withoutTheAggregateInTheCacheAxonsSnapshotterTakesTheSnapshotFromTheEvents() {
        start(NoCache.INSTANCE);
        send(new Open("t-1"));
        send(new Add("t-1", 5));
        send(new Add("t-1", 7));

        DomainEventMessage<?> snapshot = snapshot().orElseThrow();
        assertThat(snapshot.getSequenceNumber()).isEqualTo(2);
        assertThat(snapshot.getPayload()).usingRecursiveComparison().isEqualTo(tally("t-1", 12, 2));
        assertThat(engine.eventReadsOf("t-1")).as("two loads, then Axon's snapshotter").isEqualTo(3);
    }

    private void storePastTheCache(int... amounts) {
        for (int seq = 1; seq <= amounts.length; seq++) {
            axon.eventStore().publish(new GenericDomainEventMessage<>("Tally", "t-1", seq,
                    new Added("t-1", amounts[seq - 1])));
        }
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
