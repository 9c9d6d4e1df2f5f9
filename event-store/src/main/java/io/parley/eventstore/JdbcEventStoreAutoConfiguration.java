package io.parley.eventstore;

import io.parley.eventstore.log.EventsInTheLog;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.axonframework.springboot.autoconfig.JdbcAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;

/**
 * Axon's JDBC event storage engine as Axon's own auto-configuration builds it, with one statement replaced (reading
 * the stream when the tracking token has gaps) and failed appends reported as what they are ({@link AppendFailures}).
 * <p>
 * Axon asks {@code WHERE (globalIndex > ? AND globalIndex <= ?) OR globalIndex IN (gaps...)}. H2 cannot use the
 * primary key for an {@code OR} of two conditions and walks the whole table (EXPLAIN: the primary key without a
 * range), so every read of the stream while commits overlap, that is always under load, costs a scan of every event
 * ever stored: 11% of the server's CPU at 1,000 messages/s on a young database, growing with it, and the delay of
 * live delivery behind it. The two conditions as two queries joined by {@code UNION ALL} each use the index, on H2
 * and PostgreSQL alike, and return the same rows (a gap is at or below the token's index, so never in the range).
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class, before = JdbcAutoConfiguration.class,
        afterName = {"org.axonframework.springboot.autoconfig.AxonServerAutoConfiguration",
                "org.axonframework.springboot.autoconfig.AxonServerBusAutoConfiguration",
                "org.axonframework.springboot.autoconfig.JpaEventStoreAutoConfiguration"})
@ConditionalOnBean(DataSource.class)
@ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false")
public class JdbcEventStoreAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean({EventStorageEngine.class, EventBus.class, EventStore.class})
    public EventStorageEngine eventStorageEngine(Serializer defaultSerializer,
                                                 PersistenceExceptionResolver persistenceExceptionResolver,
                                                 @Qualifier("eventSerializer") Serializer eventSerializer,
                                                 org.axonframework.config.Configuration configuration,
                                                 ConnectionProvider connectionProvider,
                                                 TransactionManager transactionManager,
                                                 ObjectProvider<EventSchema> eventSchema,
                                                 Environment environment) throws IOException {
        EventsInTheLog.refuseTheTable(environment); // the table lacks what was written since a move into the log
        return AppendFailures.build(JdbcEventStorageEngine.builder()
                .snapshotSerializer(defaultSerializer)
                .upcasterChain(configuration.upcasterChain())
                .eventSerializer(eventSerializer)
                .snapshotFilter(configuration.snapshotFilter())
                .connectionProvider(connectionProvider)
                .transactionManager(transactionManager)
                .schema(eventSchema.getIfAvailable(EventSchema::new)) // Axon defines one only without an engine
                .readEventDataWithGaps(JdbcEventStoreAutoConfiguration::readEventDataWithGaps),
                persistenceExceptionResolver); // a failed append says why (AppendFailures)
    }

    static PreparedStatement readEventDataWithGaps(Connection connection, EventSchema schema, long globalIndex,
                                                   int batchSize, List<Long> gaps) throws SQLException {
        String select = "SELECT " + schema.trackedEventFields() + " FROM " + schema.domainEventTable();
        String index = schema.globalIndexColumn();
        String sql = "SELECT * FROM (" + select + " WHERE " + index + " > ? AND " + index + " <= ?"
                + " UNION ALL " + select + " WHERE " + index + " IN ("
                + String.join(",", Collections.nCopies(gaps.size(), "?")) + ")) stream"
                + " ORDER BY " + index + " ASC";
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setLong(1, globalIndex);
        statement.setLong(2, globalIndex + batchSize);
        for (int i = 0; i < gaps.size(); i++) {
            statement.setLong(i + 3, gaps.get(i));
        }
        return statement;
    }
}
