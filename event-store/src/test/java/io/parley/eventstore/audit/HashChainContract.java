package io.parley.eventstore.audit;

import io.parley.eventstore.EventStoreSchema;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hash chain on the real JDBC engine: chained appends, a writer restarted with an empty cache, and tampering
 * found at the altered event.
 */
abstract class HashChainContract {

    abstract DataSource dataSource();

    private final JacksonSerializer serializer = JacksonSerializer.defaultSerializer();

    private HashChainingStorageEngine engine(DataSource dataSource) {
        ConnectionProvider connections = dataSource::getConnection;
        JdbcEventStorageEngine jdbc = JdbcEventStorageEngine.builder()
                .connectionProvider(connections)
                .transactionManager(NoTransactionManager.INSTANCE)
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .build();
        return new HashChainingStorageEngine(jdbc, serializer, 100);
    }

    private static GenericDomainEventMessage<Note> event(String aggregate, long seq, String text) {
        return new GenericDomainEventMessage<>("Note", aggregate, seq, new Note(aggregate, text, (int) seq),
                MetaData.with(AuditMetadata.USER_ID, "u-1").and(AuditMetadata.CONNECTION_ID, "http"));
    }

    @Test
    void eventsAreChainedAndTheChainSurvivesARestartOfTheWriter() {
        DataSource ds = dataSource();
        EventStoreSchema.migrate(ds);
        String aggregate = "a-" + UUID.randomUUID();
        engine(ds).appendEvents(event(aggregate, 0, "zero"), event(aggregate, 1, "one"));
        // a new writer has an empty cache: it must read the previous hash from the table
        engine(ds).appendEvents(event(aggregate, 2, "two"));
        engine(ds).appendEvents(event("other-" + UUID.randomUUID(), 0, "elsewhere"));

        ChainVerifier verifier = new ChainVerifier(new JdbcEventHistory(ds));
        ChainVerifier.Result result = verifier.verify(aggregate);
        assertThat(result.valid()).as(result.toString()).isTrue();
        assertThat(result.events()).isEqualTo(3);
    }

    @Test
    void theStoredPayloadIsTheOneTheHashWasComputedOverSerializedOnce() {
        DataSource ds = dataSource();
        EventStoreSchema.migrate(ds);
        AtomicInteger payloadsSerialized = new AtomicInteger();
        Serializer counting = new CountingSerializer(payloadsSerialized);
        JdbcEventStorageEngine jdbc = JdbcEventStorageEngine.builder()
                .connectionProvider(ds::getConnection)
                .transactionManager(NoTransactionManager.INSTANCE)
                .eventSerializer(counting)
                .snapshotSerializer(counting)
                .build();
        String aggregate = "a-" + UUID.randomUUID();

        new HashChainingStorageEngine(jdbc, counting, 100)
                .appendEvents(event(aggregate, 0, "zero"), event(aggregate, 1, "one"));

        // once each for hash and insert, not twice: serializing encrypts the text, a cost paid per message
        assertThat(payloadsSerialized).hasValue(2);
        ChainVerifier.Result result = new ChainVerifier(new JdbcEventHistory(ds)).verify(aggregate);
        assertThat(result.valid()).as(result.toString()).isTrue();
    }

    /** Jackson, counting the payloads (notes) it serializes. */
    private static final class CountingSerializer extends JacksonSerializer {
        private final AtomicInteger notes;

        CountingSerializer(AtomicInteger notes) {
            super(JacksonSerializer.builder());
            this.notes = notes;
        }

        @Override
        public <T> SerializedObject<T> serialize(Object object, Class<T> expectedRepresentation) {
            if (object instanceof Note) {
                notes.incrementAndGet();
            }
            return super.serialize(object, expectedRepresentation);
        }
    }

    @Test
    void alteringThePayloadMetadataOrDeletingAnEventIsFoundAtThatEvent() throws SQLException {
        DataSource ds = dataSource();
        EventStoreSchema.migrate(ds);
        String aggregate = "a-" + UUID.randomUUID();
        HashChainingStorageEngine engine = engine(ds);
        for (int seq = 0; seq < 5; seq++) {
            engine.appendEvents(event(aggregate, seq, "text " + seq));
        }
        ChainVerifier verifier = new ChainVerifier(new JdbcEventHistory(ds));
        assertThat(verifier.verify(aggregate).valid()).isTrue();

        replaceIn(ds, aggregate, 3, "payload", "text 3", "text 9");
        ChainVerifier.Result payload = verifier.verify(aggregate);
        assertThat(payload.valid()).isFalse();
        assertThat(payload.brokenAtSequence()).isEqualTo(3);
        replaceIn(ds, aggregate, 3, "payload", "text 9", "text 3");
        assertThat(verifier.verify(aggregate).valid()).isTrue();

        replaceIn(ds, aggregate, 1, "metaData", "u-1", "u-2");
        ChainVerifier.Result metadata = verifier.verify(aggregate);
        assertThat(metadata.brokenAtSequence()).isEqualTo(1);
        replaceIn(ds, aggregate, 1, "metaData", "u-2", "u-1");

        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM DomainEventEntry WHERE aggregateIdentifier = '" + aggregate
                    + "' AND sequenceNumber = 2");
        }
        ChainVerifier.Result deleted = verifier.verify(aggregate);
        assertThat(deleted.brokenAtSequence()).isEqualTo(3);
        assertThat(deleted.reason()).contains("missing");
    }

    private static void replaceIn(DataSource ds, String aggregate, long seq, String column, String from, String to)
            throws SQLException {
        try (Connection c = ds.getConnection()) {
            byte[] bytes;
            try (PreparedStatement read = c.prepareStatement("SELECT " + column
                    + " FROM DomainEventEntry WHERE aggregateIdentifier = ? AND sequenceNumber = ?")) {
                read.setString(1, aggregate);
                read.setLong(2, seq);
                try (ResultSet rows = read.executeQuery()) {
                    rows.next();
                    bytes = rows.getBytes(1);
                }
            }
            String changed = new String(bytes, StandardCharsets.UTF_8).replace(from, to);
            try (PreparedStatement write = c.prepareStatement("UPDATE DomainEventEntry SET " + column
                    + " = ? WHERE aggregateIdentifier = ? AND sequenceNumber = ?")) {
                write.setBytes(1, changed.getBytes(StandardCharsets.UTF_8));
                write.setString(2, aggregate);
                write.setLong(3, seq);
                assertThat(write.executeUpdate()).isEqualTo(1);
            }
        }
    }

    record Note(String noteId, String text, int count) {
    }
}
