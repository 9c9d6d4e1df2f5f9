package io.parley.query.consistency;

import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.query.conversation.ConversationProjection;
import io.parley.query.store.ProjectionPosition;
import io.parley.query.store.ReadStores;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A projection being rebuilt on Axon's pooled streaming processor, with the {@link PositionRecorder} beside it as the
 * query side wires them: the position it saves says the projection replays, so reads are answered at once from the
 * partial read model ({@link ConsistencyBarrier}) instead of waiting for the replay to reach the head and failing.
 */
class ReadsDuringARebuildTest {

    private static final String GROUP = ConversationProjection.PROCESSING_GROUP;
    private static final String DIRECT = "d-alice-bob";
    private static final Instant AT = Instant.parse("2026-12-01T09:00:00Z");

    private Configuration axon;
    private long seq;

    @AfterEach
    void shutDown() {
        if (axon != null) {
            axon.shutdown();
        }
    }

    @Test
    void whileAProjectionIsRebuiltAReadIsAnsweredAtOnceFromThePartialReadModel() {
        SlowProjection projection = SlowProjection.configure();
        ReadStores stores = projection.stores();
        axon = projection.axon();
        axon.eventStore().publish(new GenericDomainEventMessage<>("Conversation", DIRECT, 0,
                new DirectConversationOpened(DIRECT, List.of("u-alice", "u-bob"), "u-alice", AT)));
        for (int i = 0; i < 1_000; i++) {
            send();
        }
        axon.start();
        ConsistencyBarrier barrier = new ConsistencyBarrier(axon.eventStore(), stores, Duration.ofSeconds(1),
                Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            barrier.awaitProjection(GROUP);
            return true;
        });
        StreamingEventProcessor processor = axon.eventProcessingConfiguration()
                .eventProcessor(GROUP, StreamingEventProcessor.class).orElseThrow();

        processor.shutDown();
        processor.resetTokens();
        processor.start();
        send();

        await().atMost(Duration.ofSeconds(10)).until(() -> stores.positions().of(GROUP).stream()
                .anyMatch(ProjectionPosition::replaying));
        barrier.awaitProjection(GROUP); // at once: it would wait 1 s for the head and fail with 503
        assertThat(processor.processingStatus().values()).as("the read came during the replay")
                .anyMatch(EventTrackerStatus::isReplaying);
    }

    private void send() {
        seq++;
        axon.eventStore().publish(new GenericDomainEventMessage<>("Conversation", DIRECT, seq,
                new MessageSent(DIRECT, "m-" + seq, seq, "u-alice", "c-" + seq, "message " + seq, List.of(), AT,
                        List.of(), null)));
    }
}
