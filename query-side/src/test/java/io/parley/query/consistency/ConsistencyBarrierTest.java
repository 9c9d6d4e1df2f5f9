package io.parley.query.consistency;

import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationQueries.ConversationMembersQuery;
import io.parley.api.error.UnavailableException;
import io.parley.api.query.ReadConsistency;
import io.parley.query.conversation.ConversationProjection;
import io.parley.query.store.ProjectionPosition;
import io.parley.query.store.ReadStores;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.GenericQueryMessage;
import org.axonframework.queryhandling.QueryMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How long a read waits for its projection: by default until it holds every event committed when the read came; a
 * read that names a position of the event store ({@link ReadConsistency#POSITION_KEY}) only until it holds that one.
 * The projection here is Axon's pooled streaming processor over 1,001 events, slowed to ~2 s for all of them
 * ({@link SlowProjection}).
 */
class ConsistencyBarrierTest {

    private static final String GROUP = ConversationProjection.PROCESSING_GROUP;
    private static final String DIRECT = "d-alice-bob";
    private static final Instant AT = Instant.parse("2026-12-02T09:00:00Z");
    private static final long HEAD = 1_000; // the in-memory store's global indexes start at 0

    private Configuration axon;
    private ReadStores stores;

    @BeforeEach
    void startTheProjectionAndStoreEvents() {
        SlowProjection projection = SlowProjection.configure();
        axon = projection.axon();
        stores = projection.stores();
        axon.start(); // before the events: a processor's first run over events stored before it is a replay to Axon
        axon.eventStore().publish(new GenericDomainEventMessage<>("Conversation", DIRECT, 0,
                new DirectConversationOpened(DIRECT, List.of("u-alice", "u-bob"), "u-alice", AT)));
        for (long seq = 1; seq <= HEAD; seq++) {
            axon.eventStore().publish(new GenericDomainEventMessage<>("Conversation", DIRECT, seq,
                    new MessageSent(DIRECT, "m-" + seq, seq, "u-alice", "c-" + seq, "message " + seq, List.of(), AT,
                            List.of(), null)));
        }
    }

    @AfterEach
    void shutDown() {
        axon.shutdown();
    }

    @Test
    void aReadThatNamesAnEventsPositionIsAnsweredOnceTheProjectionHoldsThatEventNotTheHead() {
        ConsistencyBarrier barrier = new ConsistencyBarrier(axon.eventStore(), stores, Duration.ofSeconds(30),
                Duration.ofMillis(100));

        barrier.awaitProjection(GROUP, query(Map.of(ReadConsistency.POSITION_KEY, 1L)));

        assertThat(stores.positions().of(GROUP)).as("the projection holds the first message, not yet the last")
                .isNotEmpty()
                .allMatch(p -> p.index() >= 1)
                .anyMatch(p -> p.index() < HEAD);
    }

    @Test
    void aReadThatNamesNoPositionWaitsForEveryEventCommittedBeforeIt() {
        ConsistencyBarrier barrier = new ConsistencyBarrier(axon.eventStore(), stores, Duration.ofSeconds(30),
                Duration.ofMillis(100));

        barrier.awaitProjection(GROUP, query(Map.of()));

        assertThat(stores.positions().of(GROUP)).isNotEmpty().extracting(ProjectionPosition::index)
                .allMatch(index -> index >= HEAD);
    }

    @Test
    void aProjectionThatDoesNotReachTheNamedPositionInTimeFailsTheRead() {
        ConsistencyBarrier barrier = new ConsistencyBarrier(axon.eventStore(), stores, Duration.ofMillis(200),
                Duration.ofMillis(100));

        assertThatThrownBy(() -> barrier.awaitProjection(GROUP, query(Map.of(ReadConsistency.POSITION_KEY, HEAD))))
                .isInstanceOf(UnavailableException.class);
    }

    private static QueryMessage<?, ?> query(Map<String, ?> metadata) {
        return new GenericQueryMessage<>(new ConversationMembersQuery(DIRECT), ResponseTypes.instanceOf(Object.class))
                .andMetaData(metadata);
    }
}
