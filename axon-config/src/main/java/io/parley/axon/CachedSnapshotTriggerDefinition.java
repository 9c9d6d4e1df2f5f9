package io.parley.axon;

import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.SnapshotTrigger;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;

import java.io.Serial;
import java.io.Serializable;
import java.util.function.ToIntFunction;

/**
 * A snapshot every {@code threshold} events, asked for in the prepare-commit phase of the unit of work whose event
 * crossed the threshold: Axon's {@code EventCountSnapshotTriggerDefinition}, except for an aggregate whose trigger
 * Axon calls uninitialized (one created in this process, or one whose load replayed past the threshold), for which
 * Axon's trigger asks in the clean-up phase.
 * <p>
 * {@link CachedAggregateSnapshotter} serializes the live aggregate where it is asked, so it must be asked while the
 * unit of work still holds the aggregate's lock: in clean-up the repository may already have released it (its
 * clean-up handlers run newest first), and another thread could then change the cached aggregate, or apply an event
 * it later rolls back, while the snapshot is serialized. In prepare-commit the lock is held, and the request comes
 * after the repository put the aggregate into the cache (its save is registered when the aggregate is loaded or
 * created, before the command's events). Where the threshold was crossed before that registration, in a load's
 * replay, the cache has no entry for the aggregate yet, and the snapshotter leaves the snapshot to Axon's, which reads
 * the events once they are committed. A unit of work that rolls back asks for nothing (Axon's clean-up request came on
 * a rollback too); the next threshold asks again.
 * <p>
 * Outside a unit of work, or past its prepare-commit phase (an aggregate loaded there, which Axon allows), the snapshot
 * is asked for at once, and the snapshotter then leaves it to Axon's.
 * <p>
 * {@link #spreadAround} gives each aggregate a threshold of its own, so that aggregates of equal traffic do not cross
 * it in the same second. With one threshold for all, the benchmark's 500 conversations, created together and sent to
 * at random, crossed it within a few seconds of each other every 250 messages each, and their snapshots, serialized on
 * the command lane, held every send back for 0.3-1 s at 5,000 msg/s (issue 17, docs/benchmark.md, twenty-sixth stop).
 */
final class CachedSnapshotTriggerDefinition implements SnapshotTriggerDefinition {

    private final Snapshotter snapshotter;
    private final ToIntFunction<String> thresholdOf;

    /**
     * @param snapshotter the snapshotter asked for each snapshot ({@link CachedAggregateSnapshotter} in Parley)
     * @param threshold   events handled by an aggregate (loaded, replayed or applied) between two snapshots; positive
     */
    CachedSnapshotTriggerDefinition(Snapshotter snapshotter, int threshold) {
        this(snapshotter, sameForAll(positive(threshold)));
    }

    private CachedSnapshotTriggerDefinition(Snapshotter snapshotter, ToIntFunction<String> thresholdOf) {
        this.snapshotter = snapshotter;
        this.thresholdOf = thresholdOf;
    }

    /**
     * Each aggregate's threshold fixed by its identifier's hash, evenly from half of {@code threshold} (rounded up) to
     * below one and a half times it: about {@code threshold} events between two snapshots on average, at most 1.5 times
     * as many replayed by a load from the last snapshot. Computed in {@code long} and kept at most
     * {@link Integer#MAX_VALUE}, so that the largest threshold (snapshots in effect off) stays so.
     *
     * @param threshold the mean threshold; positive
     */
    static CachedSnapshotTriggerDefinition spreadAround(Snapshotter snapshotter, int threshold) {
        long mean = positive(threshold);
        return new CachedSnapshotTriggerDefinition(snapshotter,
                id -> (int) Math.min(Integer.MAX_VALUE, (mean + 1) / 2 + Math.floorMod(id.hashCode(), mean)));
    }

    private static ToIntFunction<String> sameForAll(int threshold) {
        return id -> threshold;
    }

    private static int positive(int threshold) {
        if (threshold < 1) {
            throw new IllegalArgumentException("the snapshot threshold must be positive, was " + threshold);
        }
        return threshold;
    }

    @Override
    public SnapshotTrigger prepareTrigger(Class<?> aggregateType) {
        return new Trigger(snapshotter, thresholdOf, aggregateType);
    }

    @Override
    public SnapshotTrigger reconfigure(Class<?> aggregateType, SnapshotTrigger trigger) {
        if (trigger instanceof Trigger ours) {
            ours.snapshotter = snapshotter;
            ours.thresholdOf = thresholdOf;
            return ours;
        }
        return prepareTrigger(aggregateType);
    }

    /** Serializable, as Axon's triggers are: a distributed aggregate cache stores it with the aggregate. */
    private static final class Trigger implements SnapshotTrigger, Serializable {

        @Serial
        private static final long serialVersionUID = 1L;

        private transient Snapshotter snapshotter;
        private transient ToIntFunction<String> thresholdOf;
        private final Class<?> aggregateType;
        /** This aggregate's, from its first event; 0 before. */
        private int threshold;
        private int counter;

        private Trigger(Snapshotter snapshotter, ToIntFunction<String> thresholdOf, Class<?> aggregateType) {
            this.snapshotter = snapshotter;
            this.thresholdOf = thresholdOf;
            this.aggregateType = aggregateType;
        }

        @Override
        public void eventHandled(EventMessage<?> message) {
            if (!(message instanceof DomainEventMessage<?> event)) {
                return;
            }
            String aggregateIdentifier = event.getAggregateIdentifier();
            if (threshold == 0) {
                threshold = thresholdOf.applyAsInt(aggregateIdentifier);
            }
            if (++counter >= threshold) {
                counter = 0;
                if (CurrentUnitOfWork.isStarted()
                        && !CurrentUnitOfWork.get().phase().isAfter(UnitOfWork.Phase.PREPARE_COMMIT)) {
                    CurrentUnitOfWork.get().onPrepareCommit(
                            unitOfWork -> snapshotter.scheduleSnapshot(aggregateType, aggregateIdentifier));
                } else {
                    snapshotter.scheduleSnapshot(aggregateType, aggregateIdentifier);
                }
            }
        }

        @Override
        public void initializationFinished() {
            // asked for in the same phase whether or not the aggregate was loaded (see the class comment)
        }
    }
}
