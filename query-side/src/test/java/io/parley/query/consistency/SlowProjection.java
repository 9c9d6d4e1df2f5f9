package io.parley.query.consistency;

import io.parley.query.TimelineFault;
import io.parley.query.conversation.ConversationProjection;
import io.parley.query.store.ReadStores;
import io.parley.query.store.jdbc.JdbcReadStores;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.h2.jdbcx.JdbcDataSource;

import java.util.UUID;

/**
 * The conversation projection on Axon's pooled streaming processor (one segment, batches of 10) over an in-memory
 * event store, with the {@link PositionRecorder} beside it as the query side wires them, its read model in a fresh H2
 * database, and a timeline that takes 20 ms for each batch's rows: 1,000 events take about 2 s.
 */
record SlowProjection(Configuration axon, ReadStores stores) {

    /** Configured, not started. */
    static SlowProjection configure() {
        JdbcDataSource db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:slow-projection-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        ReadStores stores = JdbcReadStores.create(db);
        Configuration axon = DefaultConfigurer.defaultConfiguration(false) // no Axon Server connector
                .configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine())
                .eventProcessing(processing -> processing
                        .usingPooledStreamingEventProcessors((c, builder) -> builder.initialSegmentCount(1)
                                .batchSize(10))
                        .registerEventHandler(c -> new ConversationProjection(
                                TimelineFault.beforeEachAppendAll(stores, () -> Thread.sleep(20))))
                        .registerEventHandler(c -> new PositionRecorder.OfConversations(stores)))
                .buildConfiguration();
        return new SlowProjection(axon, stores);
    }
}
