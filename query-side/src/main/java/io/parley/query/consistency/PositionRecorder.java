package io.parley.query.consistency;

import io.parley.query.conversation.ConversationProjection;
import io.parley.query.store.PositionStore;
import io.parley.query.store.ProjectionPosition;
import io.parley.query.store.ReadStores;
import io.parley.query.user.UserProjection;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.ConcludesBatch;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;

import java.util.List;

/**
 * Saves a projection's {@link ProjectionPosition} beside its read model at the end of every batch, so that a reader
 * can tell whether the read model already holds an event ({@link ConsistencyBarrier}).
 * <p>
 * One recorder joins each projection's processing group and handles every event (no payload is deserialized for it):
 * a processor puts into a batch only events some handler of its group takes, so without this a run of events the
 * projection ignores (user events for the conversation projection) would leave the saved position behind the head
 * although the read model is current. The position is saved when the batch prepares to commit, after every handler of
 * the batch ran; in the embedded store it joins the batch's transaction.
 */
abstract class PositionRecorder {

    private final String processor;
    private final PositionStore positions;

    PositionRecorder(String processor, ReadStores stores) {
        this.processor = processor;
        this.positions = stores.positions();
    }

    /**
     * Whether the batch replays comes from {@link ReplayStatus}: the {@link TrackingToken} Axon resolves for a handler
     * is unwrapped from its {@code ReplayToken}, so it never says so (and reads waited out a rebuild, then 503).
     */
    @EventHandler
    void on(EventMessage<?> event, TrackingToken token, ReplayStatus replayStatus,
            @ConcludesBatch boolean concludesBatch) {
        if (concludesBatch && CurrentUnitOfWork.isStarted()) {
            int segment = CurrentUnitOfWork.get().getOrDefaultResource(segmentResourceKey(), 0);
            ProjectionPosition position = positionOf(segment, token, replayStatus.isReplay());
            CurrentUnitOfWork.get().onPrepareCommit(unitOfWork -> positions.save(processor, position));
        }
    }

    /** The unit-of-work resource under which Axon's pooled streaming processor keeps the batch's segment id. */
    private String segmentResourceKey() {
        return "Processor[" + processor + "]/SegmentId";
    }

    static ProjectionPosition positionOf(int segment, TrackingToken token, boolean replaying) {
        List<Long> gaps = WrappedToken.unwrap(token, GapAwareTrackingToken.class)
                .map(t -> t.getGaps().stream().limit(ProjectionPosition.MAX_GAPS).toList())
                .orElse(List.of());
        return new ProjectionPosition(segment, token.position().orElse(-1), gaps, replaying);
    }

    @ProcessingGroup(ConversationProjection.PROCESSING_GROUP)
    static class OfConversations extends PositionRecorder {
        OfConversations(ReadStores stores) {
            super(ConversationProjection.PROCESSING_GROUP, stores);
        }
    }

    @ProcessingGroup(UserProjection.PROCESSING_GROUP)
    static class OfUsers extends PositionRecorder {
        OfUsers(ReadStores stores) {
            super(UserProjection.PROCESSING_GROUP, stores);
        }
    }
}
