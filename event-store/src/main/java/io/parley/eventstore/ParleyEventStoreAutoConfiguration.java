package io.parley.eventstore;

import io.parley.eventstore.log.EventLog;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventBusSpanFactory;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.springboot.autoconfig.AxonAutoConfiguration;
import org.axonframework.springboot.autoconfig.JdbcAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The JDBC event store every Parley process uses without Axon Server: {@link ParleyEventStore}, which wakes the
 * streaming processors at each commit and can be woken by other processes. Ordered after Axon's JDBC
 * auto-configuration (whose storage engine it wraps) and before Axon's core one (whose event store backs off). The
 * order after the distributed module's auto-configuration is kept by name: that module depends on this one, never the
 * other way round.
 */
@AutoConfiguration(after = JdbcAutoConfiguration.class,
        afterName = "io.parley.distributed.ParleyDistributedAutoConfiguration",
        before = AxonAutoConfiguration.class)
@EnableConfigurationProperties({EventNudgeProperties.class, EventReaderProperties.class})
public class ParleyEventStoreAutoConfiguration {

    /**
     * Named and qualified as Axon's own ({@code eventBus} / {@code eventStore}). {@code parley.event-nudge.fetch-delay}
     * is the poll that finds other processes' commits when no nudge arrives; {@code processor-wake-delay} gathers the
     * commits of a few milliseconds into one batch per processor.
     */
    @Bean(name = "eventBus")
    @Qualifier("eventStore")
    @ConditionalOnBean(EventStorageEngine.class)
    @ConditionalOnMissingBean(EventBus.class)
    ParleyEventStore eventStore(EventStorageEngine storageEngine, org.axonframework.config.Configuration configuration,
                                EventNudgeProperties nudge, EventReaderProperties readers,
                                @Qualifier("parleyEventLog") ObjectProvider<EventLog> eventLog) {
        ParleyEventStore store = new ParleyEventStore(EmbeddedEventStore.builder()
                .storageEngine(storageEngine)
                .messageMonitor(configuration.messageMonitor(EventStore.class, "eventStore"))
                .spanFactory(configuration.getComponent(EventBusSpanFactory.class))
                .cachedEvents(readers.cachedEvents())
                .fetchDelay(Math.max(1, nudge.fetchDelay().toMillis())), nudge.processorWakeDelay());
        // the event log's events are read once written, which may be after their unit of work committed (a command
        // batch does not wait for the write: LogEventStorageEngine.DEFERRED_WRITES), so each write wakes the readers
        eventLog.ifAvailable(log -> log.onWritten(store::nudge));
        return store;
    }
}
