package io.parley.query.conversation;

import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.query.TimelineFault;
import io.parley.query.store.InboxEntry;
import io.parley.query.store.ReadStores;
import io.parley.query.store.jdbc.JdbcReadStores;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The conversation projection on Axon's pooled streaming processor, wired with {@link HeldWritesErrorHandler} as the
 * query side wires it: when the writes of a batch's held messages fail (the database gone for a moment), the batch is
 * handled again and every message reaches the read model.
 */
class HeldWritesErrorHandlerTest {

    private static final String DIRECT = "d-alice-bob";

    private Configuration axon;

    @AfterEach
    void shutDown() {
        if (axon != null) {
            axon.shutdown();
        }
    }

    @Test
    void aBatchWhoseHeldMessagesCouldNotBeWrittenIsHandledAgainAndNoMessageGoesMissing() {
        JdbcDataSource db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:held-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        ReadStores stores = JdbcReadStores.create(db);
        AtomicInteger failuresLeft = new AtomicInteger(1);
        ReadStores failingOnce = TimelineFault.beforeEachAppendAll(stores, () -> {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("the database is gone for a moment");
            }
        });
        axon = DefaultConfigurer.defaultConfiguration(false) // no Axon Server connector: the in-memory store below
                .configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine())
                .eventProcessing(processing -> processing
                        // as Parley's processors run: one segment, batches of up to 100 events
                        .usingPooledStreamingEventProcessors((c, builder) -> builder.initialSegmentCount(1)
                                .batchSize(100))
                        .registerEventHandler(c -> new ConversationProjection(failingOnce))
                        .registerListenerInvocationErrorHandler(ConversationProjection.PROCESSING_GROUP,
                                c -> new HeldWritesErrorHandler()))
                .buildConfiguration();
        Instant at = Instant.parse("2026-12-01T09:00:00Z");
        axon.eventStore().publish(new GenericDomainEventMessage<>("Conversation", DIRECT, 0,
                new DirectConversationOpened(DIRECT, List.of("u-alice", "u-bob"), "u-alice", at)));
        for (int seq = 1; seq <= 5; seq++) {
            axon.eventStore().publish(new GenericDomainEventMessage<>("Conversation", DIRECT, seq,
                    new MessageSent(DIRECT, "m-" + seq, seq, "u-alice", "c-" + seq, "message " + seq, List.of(),
                            at.plusSeconds(seq), List.of(), null)));
        }

        axon.start();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(stores.timeline().range(DIRECT, 0, Long.MAX_VALUE, 50, false)).extracting(MessageView::text)
                    .containsExactly("message 1", "message 2", "message 3", "message 4", "message 5");
            assertThat(stores.inbox().ofConversation(DIRECT)).extracting(InboxEntry::userId, InboxEntry::unread)
                    .containsExactlyInAnyOrder(tuple("u-alice", 0L), tuple("u-bob", 5L));
        });
        assertThat(failuresLeft.get()).as("the first write failed").isNegative();
    }
}
