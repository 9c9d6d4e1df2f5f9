package io.parley.eventstore.log;

import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogEventStorageEngineTest {

    record Sent(String text) {
    }

    record ConversationState(List<String> texts) {
    }

    @TempDir
    Path dir;

    private EventLog events;
    private EventLog snapshots;
    private LogEventStorageEngine engine;
    private EmbeddedEventStore store;

    private void open() throws IOException {
        open(10_000); // Axon's default
    }

    /** @param cachedEvents the newest events the store keeps for the readers that tail it */
    private void open(int cachedEvents) throws IOException {
        events = EventLog.open(dir.resolve("events.log"));
        snapshots = EventLog.open(dir.resolve("snapshots.log"));
        JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
        engine = LogEventStorageEngine.builder().events(events).snapshots(snapshots).eventSerializer(serializer)
                .snapshotSerializer(serializer).build();
        store = EmbeddedEventStore.builder().storageEngine(engine).cachedEvents(cachedEvents).build();
    }

    @AfterEach
    void close() throws IOException {
        if (store != null) {
            store.shutDown();
            events.close();
            snapshots.close();
        }
    }

    @Test
    void eventsPublishedInAUnitOfWorkAreReadBackByAggregateAndByTokenAfterARestart() throws IOException {
        open();
        DomainEventMessage<Sent> hello = new GenericDomainEventMessage<>("Conversation", "c1", 0, new Sent("hello"),
                MetaData.with("origin", "test"), "event-1", Instant.parse("2026-12-04T09:00:00.123456789Z"));
        publish(hello, sent("c1", 1, "again"));
        publish(sent("c2", 0, "elsewhere"));
        publish(GenericEventMessage.asEventMessage(new Sent("no aggregate")));
        close();
        open();

        assertThat(store.readEvents("c1").asStream().map(e -> ((Sent) e.getPayload()).text()))
                .containsExactly("hello", "again");
        DomainEventMessage<?> first = store.readEvents("c1").next();
        assertThat(first.getType()).isEqualTo("Conversation");
        assertThat(first.getSequenceNumber()).isZero();
        assertThat(first.getMetaData()).containsEntry("origin", "test");
        assertThat(first.getIdentifier()).isEqualTo("event-1");
        assertThat(first.getTimestamp()).as("to the millisecond, as Axon's event entries give it")
                .isEqualTo(Instant.parse("2026-12-04T09:00:00.123Z"));
        assertThat(store.lastSequenceNumberFor("c1")).hasValue(1L);

        List<TrackedEventMessage<?>> all = stream(null);
        assertThat(all).extracting(e -> ((Sent) e.getPayload()).text())
                .containsExactly("hello", "again", "elsewhere", "no aggregate");
        assertThat(all).extracting(e -> e.trackingToken().position().getAsLong()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(all.get(3)).isNotInstanceOf(DomainEventMessage.class);
        assertThat(all.get(0).getIdentifier()).isEqualTo("event-1");
        assertThat(all.get(0).getTimestamp()).isEqualTo(Instant.parse("2026-12-04T09:00:00.123Z"));
        assertThat(all.get(0).getMetaData()).containsEntry("origin", "test");
        assertThat(stream(all.get(1).trackingToken())).extracting(e -> ((Sent) e.getPayload()).text())
                .containsExactly("elsewhere", "no aggregate");
    }

    @Test
    void anEventAtASequenceNumberTheAggregateHasFailsAsAConcurrencyConflict() throws IOException {
        open();
        publish(sent("c1", 0, "hello"), sent("c1", 1, "again"));
        assertThatThrownBy(() -> publish(sent("c1", 1, "lost update"))).isInstanceOf(ConcurrencyException.class)
                .hasMessageContaining("aggregate [c1] at sequence [1]");
        assertThatThrownBy(() -> publish(sent("c1", 0, "second creation")))
                .isInstanceOf(AggregateStreamCreationException.class);
        assertThat(stream(null)).hasSize(2);
    }

    @Test
    void aTokenWithGapsFromTheJdbcEngineGetsTheEventsInItsGapsAndThoseAfterIt() throws IOException {
        open();
        for (int i = 0; i < 6; i++) {
            publish(sent("c1", i, "m" + (i + 1)));
        }
        // a processor that saw up to 5 but not 2 and 4 (committed late in the old store)
        TrackingToken token = GapAwareTrackingToken.newInstance(5, new TreeSet<>(List.of(2L, 4L)));
        List<TrackedEventMessage<?>> read = stream(token);
        assertThat(read).extracting(e -> ((Sent) e.getPayload()).text()).containsExactly("m2", "m4", "m6");
        assertThat(read.get(0).trackingToken()).isEqualTo(GapAwareTrackingToken.newInstance(5, List.of(4L)));
        assertThat(read.get(1).trackingToken()).isEqualTo(GapAwareTrackingToken.newInstance(5, List.of()));
        assertThat(stream(read.get(0).trackingToken())).extracting(e -> ((Sent) e.getPayload()).text())
                .containsExactly("m4", "m6");
    }

    @Test
    void theLastSnapshotIsTheOneReadAndAnOlderOneDoesNotReplaceIt() throws IOException {
        open();
        publish(sent("c1", 0, "a"), sent("c1", 1, "b"), sent("c1", 2, "c"));
        store.storeSnapshot(snapshot("c1", 1, "a", "b"));
        store.storeSnapshot(snapshot("c1", 2, "a", "b", "c"));
        store.storeSnapshot(snapshot("c1", 1, "a", "b"));
        close();
        open();
        assertThat(engine.readSnapshot("c1")).hasValueSatisfying(s -> {
            assertThat(s.getSequenceNumber()).isEqualTo(2);
            assertThat(((ConversationState) s.getPayload()).texts()).containsExactly("a", "b", "c");
        });
        assertThat(engine.readSnapshot("c2")).isEmpty();
    }

    @Test
    void tokensForTheTailTheHeadAndATimeAreTheLogsPositions() throws IOException {
        open();
        assertThat(engine.createTailToken()).isNull();
        assertThat(engine.createHeadToken()).isNull();
        Instant start = Instant.parse("2026-12-02T10:00:00Z");
        for (int i = 0; i < 5; i++) {
            publish(new GenericDomainEventMessage<>("Conversation", "c1", i, new Sent("m" + i), MetaData.emptyInstance(),
                    "id-" + i, start.plusSeconds(60L * i)));
        }
        assertThat(engine.createTailToken()).isEqualTo(GapAwareTrackingToken.newInstance(0, List.of()));
        assertThat(engine.createHeadToken()).isEqualTo(GapAwareTrackingToken.newInstance(5, List.of()));
        assertThat(engine.createTokenAt(start.plusSeconds(120))).as("before the event at 10:02, the third")
                .isEqualTo(GapAwareTrackingToken.newInstance(2, List.of()));
        assertThat(engine.createTokenAt(start.plusSeconds(90)))
                .isEqualTo(GapAwareTrackingToken.newInstance(2, List.of()));
        assertThat(engine.createTokenAt(start.minusSeconds(1)))
                .isEqualTo(GapAwareTrackingToken.newInstance(0, List.of()));
        assertThat(engine.createTokenAt(start.plusSeconds(3600))).isEqualTo(engine.createHeadToken());
    }

    @Test
    void aUnitOfWorkThatDefersItsWritesCommitsBeforeTheDiskAndItsFutureCompletesAfter() throws Exception {
        open();
        publish(sent("c1", 0, "written"));
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        events.holdWrites();
        try {
            DefaultUnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(null);
            unitOfWork.resources().put(LogEventStorageEngine.DEFERRED_WRITES, writes);
            unitOfWork.execute(() -> store.publish(sent("c1", 1, "deferred")));

            assertThat(writes).as("the write, not waited for").hasSize(1);
            assertThat(writes.get(0)).isNotDone();
            assertThat(store.readEvents("c1").asStream().map(e -> ((Sent) e.getPayload()).text()))
                    .as("the aggregate's next command sees it").containsExactly("written", "deferred");
            assertThat(stream(null)).as("tracking readers do not, until it is written").hasSize(1);
        } finally {
            events.releaseWrites();
        }
        writes.get(0).get(5, TimeUnit.SECONDS);
        assertThat(stream(null)).hasSize(2);

        publish(sent("c1", 2, "no list: waits"));
        assertThat(stream(null)).as("written when publish returned").hasSize(3);
    }

    @Test
    void aSnapshotOfEventsNotYetWrittenIsStoredOnlyAfterThemSoThatItNeverOutlivesThemInAPowerLoss() throws Exception {
        open();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        CompletableFuture<Void> snapshotStored;
        events.holdWrites();
        try {
            DefaultUnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(null);
            unitOfWork.resources().put(LogEventStorageEngine.DEFERRED_WRITES, writes);
            unitOfWork.execute(() -> store.publish(sent("c1", 0, "a"), sent("c1", 1, "b")));
            snapshotStored = CompletableFuture.runAsync(() -> store.storeSnapshot(snapshot("c1", 1, "a", "b")));

            assertThatThrownBy(() -> snapshotStored.get(300, TimeUnit.MILLISECONDS))
                    .as("the snapshot waits for the events it holds").isInstanceOf(TimeoutException.class);
            assertThat(snapshots.lastSequenceNumber("c1")).isEmpty();
        } finally {
            events.releaseWrites();
        }
        snapshotStored.get(5, TimeUnit.SECONDS);
        assertThat(writes.get(0)).isDone();
        assertThat(engine.readSnapshot("c1")).hasValueSatisfying(s -> assertThat(s.getSequenceNumber()).isEqualTo(1));
    }

    @Test
    void aReaderFurtherBehindThanTheStoresCacheReadsEveryEventInOrderFromTheLog() throws Exception {
        open(10); // the standalone mode keeps 1,000 (parley.event-readers.cached-events)
        publish(sent("c1", 0, "first"));
        try (var reader = store.openStream(null); var keepingUp = store.openStream(null)) {
            assertThat(((Sent) reader.nextAvailable().getPayload()).text()).isEqualTo("first");
            assertThat(reader.hasNextAvailable()).as("at the head: it tails the store's cache from here").isFalse();

            for (int seq = 1; seq <= 100; seq++) { // ten times what the cache keeps, while the reader reads nothing
                publish(sent("c1", seq, "message " + seq));
            }
            // another reader reads all of them, so the store's cache has surely moved past the first reader
            for (int read = 0; read <= 100; read++) {
                assertThat(keepingUp.hasNextAvailable(10, TimeUnit.SECONDS)).isTrue();
                keepingUp.nextAvailable();
            }

            List<String> read = new ArrayList<>();
            while (read.size() < 100 && reader.hasNextAvailable(10, TimeUnit.SECONDS)) {
                read.add(((Sent) reader.nextAvailable().getPayload()).text());
            }
            assertThat(read).hasSize(100).startsWith("message 1", "message 2").endsWith("message 100");
            assertThat(read).doesNotHaveDuplicates();
        }
    }

    private void publish(EventMessage<?>... messages) {
        DefaultUnitOfWork.startAndGet(null).execute(() -> store.publish(messages));
    }

    private List<TrackedEventMessage<?>> stream(TrackingToken after) {
        try (Stream<? extends TrackedEventMessage<?>> events = engine.readEvents(after, false)) {
            return events.collect(Collectors.toList());
        }
    }

    private static DomainEventMessage<Sent> sent(String aggregate, long seq, String text) {
        return new GenericDomainEventMessage<>("Conversation", aggregate, seq, new Sent(text),
                MetaData.with("origin", "test"));
    }

    private static DomainEventMessage<ConversationState> snapshot(String aggregate, long seq, String... texts) {
        return new GenericDomainEventMessage<>("Conversation", aggregate, seq, new ConversationState(List.of(texts)));
    }
}
