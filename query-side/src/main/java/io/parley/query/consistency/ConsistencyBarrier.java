package io.parley.query.consistency;

import io.parley.api.error.UnavailableException;
import io.parley.api.query.ReadConsistency;
import io.parley.query.store.PositionStore;
import io.parley.query.store.ProjectionPosition;
import io.parley.query.store.ReadStores;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.queryhandling.QueryMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read-your-writes for every query: before a read model answers, it waits until its projection holds every event that
 * was committed when the query arrived (the head of the event store), so a write acknowledged to anyone before the read
 * began, on any node, is in the answer. A query that names the position it needs ({@link ReadConsistency}) waits only
 * for that one.
 * <p>
 * The head is {@code EventStore.createHeadToken()} (one indexed {@code max(globalIndex)} read); the projection's
 * position is the one it saved with its last batch ({@link PositionRecorder}), so this works on any node that shares
 * the read store, whether or not it runs the projection. At rest the wait is the commit-to-read-model lag, a few
 * milliseconds. A gap in the projection's token at or below the head is a transaction that was in flight when the
 * projection read past it: once committed it is filled within milliseconds; one that stays open for
 * {@code gapPatience} is looked up in the store: if it holds no event it was rolled back and is not waited for again,
 * else the wait goes on. A projection that has not caught
 * up after {@code maxWait} makes the query fail with {@link UnavailableException} (503; the socket's {@code sync} reads
 * the event store instead), never a stale answer. While a projection is being rebuilt (replaying from the start) reads
 * are answered at once from the partial read model, as before: waiting would only time out.
 */
@Component
public class ConsistencyBarrier {

    private static final Logger log = LoggerFactory.getLogger(ConsistencyBarrier.class);
    private static final int MAX_EMPTY_GAPS = 10_000;

    private final EventStore eventStore;
    private final PositionStore positions;
    private final Duration maxWait;
    private final Duration gapPatience;
    private final Set<Long> emptyGaps = ConcurrentHashMap.newKeySet();

    /**
     * @param maxWait     {@code parley.query.consistency-wait}: the longest a query waits for its projection
     * @param gapPatience {@code parley.query.gap-patience}: how long an open gap is waited for before it is taken
     *                    for a rolled-back transaction
     */
    public ConsistencyBarrier(EventStore eventStore, ReadStores stores,
                              @Value("${parley.query.consistency-wait:5s}") Duration maxWait,
                              @Value("${parley.query.gap-patience:250ms}") Duration gapPatience) {
        this.eventStore = eventStore;
        this.positions = stores.positions();
        this.maxWait = maxWait;
        this.gapPatience = gapPatience;
    }

    /**
     * Returns once the projection of {@code processor} holds every event committed before this call, or every event
     * up to the position the query names, unless the query says an earlier query established what it needs
     * ({@link ReadConsistency}).
     *
     * @throws UnavailableException when it has not caught up within {@code maxWait}
     */
    public void awaitProjection(String processor, QueryMessage<?, ?> query) {
        if (ReadConsistency.ESTABLISHED.equals(query.getMetaData().get(ReadConsistency.KEY))) {
            return;
        }
        if (query.getMetaData().get(ReadConsistency.POSITION_KEY) instanceof Number position) {
            awaitPosition(processor, position.longValue());
        } else {
            awaitProjection(processor);
        }
    }

    /**
     * Returns once the projection of {@code processor} holds every event committed before this call.
     *
     * @throws UnavailableException when it has not caught up within {@code maxWait}
     */
    public void awaitProjection(String processor) {
        TrackingToken headToken = eventStore.createHeadToken();
        awaitPosition(processor, headToken == null ? -1 : headToken.position().orElse(-1));
    }

    /**
     * Returns once the projection of {@code processor} holds every event up to global index {@code position}.
     *
     * @throws UnavailableException when it has not caught up within {@code maxWait}
     */
    private void awaitPosition(String processor, long position) {
        if (position < 0) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + maxWait.toNanos();
        long gapsSince = 0;
        long pause = 1;
        while (true) {
            List<ProjectionPosition> segments = positions.of(processor);
            if (segments.stream().anyMatch(ProjectionPosition::replaying)) {
                return;
            }
            if (!segments.isEmpty() && segments.stream().allMatch(p -> p.index() >= position)) {
                List<Long> open = segments.stream().flatMap(p -> p.openGaps(position, emptyGaps).stream()).toList();
                if (open.isEmpty()) {
                    return;
                }
                long now = System.nanoTime();
                if (gapsSince == 0) {
                    gapsSince = now;
                } else if (now - gapsSince > gapPatience.toNanos()) {
                    List<Long> empty = open.stream().filter(gap -> !isCommitted(gap)).toList();
                    rememberEmpty(empty);
                    if (empty.size() == open.size()) {
                        return;
                    }
                    gapsSince = now; // a committed event the projection has not reached yet: wait for it
                }
            }
            if (System.nanoTime() > deadline) {
                log.warn("projection {} has not reached position {} after {}; answering 503", processor, position,
                        maxWait);
                throw new UnavailableException("the read model is catching up with recent writes; try again");
            }
            sleep(pause);
            pause = Math.min(pause * 2, 16);
        }
    }

    /** Whether an event with this global index is in the store (read like a processor would, from just before it). */
    private boolean isCommitted(long globalIndex) {
        try (BlockingStream<TrackedEventMessage<?>> stream = eventStore.openStream(
                GapAwareTrackingToken.newInstance(globalIndex - 1, Collections.emptySet()))) {
            return stream.hasNextAvailable() && stream.peek()
                    .map(e -> e.trackingToken().position().orElse(-1L)).orElse(-1L) == globalIndex;
        }
    }

    private void rememberEmpty(List<Long> gaps) {
        if (emptyGaps.size() > MAX_EMPTY_GAPS) {
            emptyGaps.clear();
        }
        emptyGaps.addAll(gaps);
        log.debug("gaps {} stayed open for {} and hold no event: rolled back, not waited for again", gaps,
                gapPatience);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for the read model");
        }
    }
}
