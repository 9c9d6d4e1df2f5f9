package io.parley.eventstore.log;

import io.parley.eventstore.JdbcEventStoreAutoConfiguration;
import io.parley.eventstore.audit.EventHistory;
import io.parley.eventstore.audit.EventHistoryAutoConfiguration;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * The event store on the event log ({@code parley.event-store=log}, the default on an H2 file database:
 * {@code EventStoreDefaults}; {@code jdbc} is Axon's JDBC table):
 * {@link LogEventStorageEngine} on {@code events.log} and {@code snapshots.log} in {@code parley.event-log.dir}
 * ({@code ${parley.data-dir}/events}), and its {@link EventHistory} for audit. The hash chain and the encrypting
 * serializer wrap it as they wrap the JDBC engine; read models, tokens and erasure keys stay in the SQL database. A
 * data directory whose events are in the JDBC table has them moved into the log at its first start with it
 * ({@link EventTableMove}). For one server on one disk (the standalone mode): the log is a file of this process.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class,
        before = {JdbcEventStoreAutoConfiguration.class, EventHistoryAutoConfiguration.class})
@ConditionalOnProperty(name = "parley.event-store", havingValue = "log")
public class LogEventStoreAutoConfiguration {

    @Bean(destroyMethod = "close")
    EventLog parleyEventLog(Environment environment) throws IOException {
        return EventLog.open(createdDirectory(environment).resolve("events.log"));
    }

    @Bean(destroyMethod = "close")
    EventLog parleySnapshotLog(Environment environment) throws IOException {
        return EventLog.open(createdDirectory(environment).resolve("snapshots.log"));
    }

    @Bean
    EventStorageEngine eventStorageEngine(Environment environment, Serializer defaultSerializer,
                                          @Qualifier("eventSerializer") Serializer eventSerializer,
                                          org.axonframework.config.Configuration configuration,
                                          @Qualifier("parleyEventLog") EventLog events,
                                          @Qualifier("parleySnapshotLog") EventLog snapshots,
                                          ObjectProvider<DataSource> dataSource) throws IOException, SQLException {
        DataSource tables = dataSource.getIfAvailable();
        if (tables != null) {
            EventTableMove.run(tables, events, snapshots, directory(environment).resolve(EventTableMove.MARKER));
        }
        LogEventStorageEngine.Builder builder = LogEventStorageEngine.builder().events(events).snapshots(snapshots)
                .eventSerializer(eventSerializer).snapshotSerializer(defaultSerializer);
        builder.upcasterChain(configuration.upcasterChain());
        builder.snapshotFilter(configuration.snapshotFilter());
        return builder.build();
    }

    @Bean
    EventHistory parleyLogEventHistory(@Qualifier("parleyEventLog") EventLog events) {
        return new LogEventHistory(events);
    }

    /** {@code parley.event-log.dir}, by default {@code ${parley.data-dir}/events}. */
    static Path directory(Environment environment) {
        String configured = environment.getProperty("parley.event-log.dir");
        return configured != null ? Path.of(configured)
                : Path.of(environment.getProperty("parley.data-dir", "./data")).resolve("events");
    }

    private static Path createdDirectory(Environment environment) throws IOException {
        return Files.createDirectories(directory(environment));
    }
}
