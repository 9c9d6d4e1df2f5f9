package io.parley.search;

import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The search projection's position lives in the index's own commits. */
class IndexTokenStoreTest {

    private static final String PROCESSOR = SearchProjection.PROCESSING_GROUP;

    @TempDir
    Path dir;

    @Test
    void aRestartResumesFromThePositionCommittedWithTheIndex() {
        GapAwareTrackingToken token = GapAwareTrackingToken.newInstance(41, Set.of(39L));
        List<TrackingToken> visible = new ArrayList<>();
        try (MessageIndex index = MessageIndex.open(dir)) {
            IndexTokenStore store = store(index, visible);
            store.initializeTokenSegments(PROCESSOR, 1, null);
            index.memberJoined("c1", "alice");
            index.messageSent("c1", "m1", 1, "alice", "committed together", null, 41);
            store.storeToken(token, PROCESSOR, 0);
        }
        assertThat(visible).containsExactly(token);

        try (MessageIndex index = MessageIndex.open(dir)) {
            List<TrackingToken> reopened = new ArrayList<>();
            IndexTokenStore store = store(index, reopened);

            assertThat(store.fetchToken(PROCESSOR, 0)).isEqualTo(token);
            assertThat(store.fetchSegments(PROCESSOR)).containsExactly(0);
            assertThat(reopened).containsExactly(token);
            assertThat(index.messageCount()).isEqualTo(1);
        }
    }

    @Test
    void aNewIndexHasNoPositionSoTheProjectionStartsFromTheBeginning() {
        try (MessageIndex index = MessageIndex.open(dir)) {
            IndexTokenStore store = store(index, new ArrayList<>());
            assertThat(store.fetchSegments(PROCESSOR)).isEmpty();
        }
    }

    @Test
    void betweenDurableCommitsABatchBecomesVisibleWhenASearchAsksForIt() {
        try (MessageIndex index = MessageIndex.open(dir)) {
            SearchBarrier barrier = new SearchBarrier(() -> GapAwareTrackingToken.newInstance(1, Set.of()),
                    index::refresh, Duration.ofSeconds(5), Duration.ofSeconds(5));
            IndexTokenStore store = new IndexTokenStore(PROCESSOR, index, JacksonSerializer.defaultSerializer(),
                    Duration.ofHours(1), Clock.systemUTC(), barrier::indexedAt);
            store.initializeTokenSegments(PROCESSOR, 1, null);
            index.memberJoined("c1", "alice");
            index.messageSent("c1", "m1", 1, "alice", "visible before the commit", null, 1);
            store.storeToken(GapAwareTrackingToken.newInstance(1, Set.of()), PROCESSOR, 0);
            // not reopened per batch: a reopen writes a segment, and merging thousands of tiny ones costs a core
            assertThat(index.search("alice", "visible", null, 10, null).hits()).isEmpty();

            barrier.await();
            assertThat(index.search("alice", "visible", null, 10, null).hits()).hasSize(1);
            assertThat(index.committedData()).doesNotContainKey(IndexTokenStore.TOKEN_DATA);
        }
    }

    private static IndexTokenStore store(MessageIndex index, List<TrackingToken> visible) {
        return new IndexTokenStore(PROCESSOR, index, JacksonSerializer.defaultSerializer(), Duration.ZERO,
                Clock.systemUTC(), visible::add);
    }
}
