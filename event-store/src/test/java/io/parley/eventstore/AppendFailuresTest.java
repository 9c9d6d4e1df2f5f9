package io.parley.eventstore;

import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcSQLErrorCodesResolver;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.json.JacksonSerializer;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.parley.testsupport.PostgresSchema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A failed append says what failed: a connection that broke (its PostgreSQL backend terminated, as a database
 * restart or a network failure does) is not reported as "already inserted" (Axon's wording for every failed append
 * after an aggregate's first event), and a real duplicate stays a concurrency conflict, on PostgreSQL too.
 */
class AppendFailuresTest {

    @RegisterExtension
    final PostgresSchema postgres = new PostgresSchema("append_test");

    private JdbcEventStorageEngine engine(DataSource ds, AtomicBoolean breakNext) {
        ConnectionProvider connections = () -> {
            Connection connection = ds.getConnection();
            if (breakNext.getAndSet(false)) {
                terminateBackendOf(connection, ds);
            }
            return connection;
        };
        JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
        return AppendFailures.build(JdbcEventStorageEngine.builder()
                .snapshotSerializer(serializer)
                .eventSerializer(serializer)
                .connectionProvider(connections)
                .transactionManager(NoTransactionManager.INSTANCE), new JdbcSQLErrorCodesResolver());
    }

    /** Ends the server process behind {@code connection}, from another connection: the next statement fails. */
    private static void terminateBackendOf(Connection connection, DataSource ds) throws SQLException {
        int pid;
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            pid = r.getInt(1);
        }
        try (Connection other = ds.getConnection(); Statement s = other.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + pid + ")");
        }
    }

    private static GenericDomainEventMessage<Map<String, String>> event(String aggregate, long seq) {
        return new GenericDomainEventMessage<>("Conversation", aggregate, seq, Map.of("text", "hello " + seq));
    }

    @Test
    void aBrokenConnectionDuringAnAppendIsReportedAsSuchNotAsADuplicate() {
        DataSource ds = postgres.dataSource();
        EventStoreSchema.migrate(ds);
        AtomicBoolean breakNext = new AtomicBoolean();
        JdbcEventStorageEngine engine = engine(ds, breakNext);
        engine.appendEvents(List.of(event("c-1", 0)));
        breakNext.set(true);

        assertThatThrownBy(() -> engine.appendEvents(List.of(event("c-1", 1))))
                .isInstanceOf(EventStoreException.class)
                .isNotInstanceOf(ConcurrencyException.class)
                .hasMessageNotContaining("already inserted")
                .hasMessageContaining("could not store event 1 of aggregate c-1")
                .hasMessageContaining("SQLState");
    }

    @Test
    void aDuplicateSequenceNumberIsStillAConcurrencyConflictOnPostgresql() {
        DataSource ds = postgres.dataSource();
        EventStoreSchema.migrate(ds);
        JdbcEventStorageEngine engine = engine(ds, new AtomicBoolean());
        engine.appendEvents(List.of(event("c-2", 0), event("c-2", 1)));

        assertThatThrownBy(() -> engine.appendEvents(List.of(event("c-2", 1))))
                .isInstanceOf(ConcurrencyException.class)
                .hasMessageContaining("already inserted");
    }

    @Test
    void aDuplicateSequenceNumberIsStillAConcurrencyConflictOnH2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:append-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        EventStoreSchema.migrate(ds);
        JdbcEventStorageEngine engine = engine(ds, new AtomicBoolean());
        engine.appendEvents(List.of(event("c-3", 0), event("c-3", 1)));

        assertThatThrownBy(() -> engine.appendEvents(List.of(event("c-3", 1))))
                .isInstanceOf(ConcurrencyException.class)
                .hasMessageContaining("already inserted");
    }
}
