package io.parley.search;

import io.parley.api.error.UnavailableException;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.ReplayToken;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A search waits for the index to reach the head of the event store, and no longer than its limit. */
class SearchBarrierTest {

    private static GapAwareTrackingToken at(long position, Long... gaps) {
        return GapAwareTrackingToken.newInstance(position, Set.of(gaps));
    }

    @Test
    void aSearchWaitsUntilTheIndexHoldsEveryEventCommittedBeforeIt() throws Exception {
        SearchBarrier barrier = new SearchBarrier(() -> at(10), () -> { }, Duration.ofSeconds(30), Duration.ofSeconds(30));
        barrier.indexedAt(at(9));

        CompletableFuture<Void> search = CompletableFuture.runAsync(barrier::await);
        Thread.sleep(50);
        assertThat(search).isNotDone();

        barrier.indexedAt(at(10));
        search.get();
    }

    @Test
    void aSearchReopensTheIndexOnlyOnceItHoldsWhatTheSearchMustSee() throws Exception {
        AtomicInteger refreshes = new AtomicInteger();
        SearchBarrier barrier = new SearchBarrier(() -> at(10), refreshes::incrementAndGet, Duration.ofSeconds(30),
                Duration.ofSeconds(30));
        barrier.indexedAt(at(9));

        CompletableFuture<Void> search = CompletableFuture.runAsync(barrier::await);
        Thread.sleep(50);
        assertThat(refreshes).hasValue(0);

        barrier.indexedAt(at(10));
        search.get();
        assertThat(refreshes).hasValue(1);
    }

    @Test
    void anIndexThatDoesNotCatchUpInTimeAnswersUnavailableRatherThanStale() {
        SearchBarrier barrier = new SearchBarrier(() -> at(10), () -> { }, Duration.ofMillis(50), Duration.ofMillis(10));
        barrier.indexedAt(at(3));

        assertThatThrownBy(barrier::await).isInstanceOf(UnavailableException.class);
    }

    @Test
    void aGapThatStaysOpenIsTakenForARolledBackTransaction() {
        SearchBarrier barrier = new SearchBarrier(() -> at(10), () -> { }, Duration.ofSeconds(30), Duration.ofMillis(20));
        barrier.indexedAt(at(10, 8L));

        barrier.await(); // returns after the gap patience, long before the 30 s limit
    }

    @Test
    void duringARebuildSearchesAnswerFromThePartialIndexAtOnce() {
        SearchBarrier barrier = new SearchBarrier(() -> at(1000), () -> { }, Duration.ofMillis(50), Duration.ofMillis(10));
        barrier.indexedAt(ReplayToken.createReplayToken(at(1000), at(5)));

        barrier.await();
    }

    @Test
    void anEmptyEventStoreNeedsNoWait() {
        new SearchBarrier(() -> null, () -> { }, Duration.ofMillis(1), Duration.ofMillis(1)).await();
    }
}
