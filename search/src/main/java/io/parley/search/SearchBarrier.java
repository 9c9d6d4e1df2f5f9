package io.parley.search;

import io.parley.api.error.UnavailableException;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.ReplayToken;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Read-your-writes for search, as {@code ConsistencyBarrier} gives it to the other read models: a search waits until
 * the index that answers it holds every event committed when the search arrived (the head of the event store), so a
 * user who was just told their message is stored finds it. The index is local to this node, so its position is too:
 * the token whose writes searches see ({@link IndexTokenStore}), not a shared table.
 * <p>
 * A gap at or below the head (a transaction in flight when the projection read past it) is waited for up to
 * {@code gapPatience}, then taken for a rolled-back transaction. Not caught up after {@code maxWait}: 503
 * {@code UNAVAILABLE}, never a stale answer. While the index is rebuilt (replaying) searches answer at once from the
 * partial index.
 */
final class SearchBarrier {

    private static final Logger log = LoggerFactory.getLogger(SearchBarrier.class);

    private final Supplier<TrackingToken> head;
    private final Runnable refresh;
    private final Duration maxWait;
    private final Duration gapPatience;
    private volatile TrackingToken indexed;

    /**
     * @param refresh makes every write indexed so far visible to searches (Lucene's near-real-time reopen); called by
     *                a search once the index holds what it must see, never per batch: a reopen per batch wrote a
     *                tiny segment each time, and merging them away was the busiest thread of the server under load
     */
    SearchBarrier(Supplier<TrackingToken> head, Runnable refresh, Duration maxWait, Duration gapPatience) {
        this.head = head;
        this.refresh = refresh;
        this.maxWait = maxWait;
        this.gapPatience = gapPatience;
    }

    /** The head of the event store: the position of the last event committed (-1 for none). */
    long head() {
        TrackingToken headToken = head.get();
        return headToken == null ? -1 : headToken.position().orElse(-1);
    }

    /** The position whose writes the index holds (visible to searches after the next refresh). */
    void indexedAt(TrackingToken token) {
        this.indexed = token;
    }

    /** Returns once searches see every event committed before this call. */
    void await() {
        awaitIndexed();
        refresh.run();
    }

    private void awaitIndexed() {
        long target = head();
        if (target < 0) {
            return;
        }
        long start = System.nanoTime();
        long pause = 1;
        while (true) {
            TrackingToken token = indexed;
            if (token != null && ReplayToken.isReplay(token)) {
                return;
            }
            if (token != null && token.position().orElse(-1) >= target) {
                boolean openGap = WrappedToken.unwrap(token, GapAwareTrackingToken.class)
                        .map(t -> t.getGaps().stream().anyMatch(gap -> gap <= target))
                        .orElse(false);
                if (!openGap || System.nanoTime() - start > gapPatience.toNanos()) {
                    return;
                }
            }
            if (System.nanoTime() - start > maxWait.toNanos()) {
                log.warn("search index has not reached position {} after {}; answering 503", target, maxWait);
                throw new UnavailableException("the search index is catching up with recent writes; try again");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while waiting for the search index");
            }
            pause = Math.min(pause * 2, 16);
        }
    }
}
