package io.parley.operations;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parley.operations.tracing.CorrelationIdLogging;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.HttpCodeStatusMapper;
import org.springframework.boot.actuate.health.ReactiveHealthContributor;
import org.springframework.boot.actuate.health.ReactiveHealthContributorRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;

import java.util.concurrent.TimeUnit;

/**
 * Health and readiness contributors of every Parley service, and the management port of those without a web server.
 * A node that sends its commands over HTTP also reports the command-side nodes ({@code commandBus}).
 * The contributors' names are those the {@code readiness} group includes ({@link OperationsDefaults}); each exists
 * only where what it checks is used.
 */
// after whatever defines the beans its conditions look for: the event store, the Mongo client, the Redis client
@AutoConfiguration(afterName = {"org.axonframework.springboot.autoconfig.AxonAutoConfiguration",
        "org.axonframework.springboot.autoconfig.EventProcessingAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration",
        "io.parley.eventstore.JdbcEventStoreAutoConfiguration", "io.parley.eventstore.ParleyEventStoreAutoConfiguration",
        "io.parley.distributed.ParleyDistributedAutoConfiguration", "io.parley.query.QuerySideAutoConfiguration",
        "io.parley.notify.NotificationsAutoConfiguration"},
        before = HealthEndpointAutoConfiguration.class)
@EnableConfigurationProperties(OperationsProperties.class)
public class OperationsAutoConfiguration {

    @Bean("eventStoreHealthIndicator")
    @ConditionalOnBean(EventStore.class)
    EventStoreHealth eventStoreHealthIndicator(EventStore eventStore) {
        return new EventStoreHealth(eventStore);
    }

    @Bean("projectionsHealthIndicator")
    @ConditionalOnBean({EventProcessingConfiguration.class, EventStore.class, MeterRegistry.class})
    ProjectionLag projectionsHealthIndicator(EventProcessingConfiguration processing, EventStore eventStore,
                                             MeterRegistry registry, OperationsProperties properties) {
        return new ProjectionLag(processing, eventStore, registry, properties.maxProjectionLag());
    }

    /**
     * The correlation id of a command in the lines its handler logs, on the bus that runs this process's handlers:
     * Axon's {@code InterceptorAutoConfiguration} registers it there, as every handler interceptor bean.
     */
    @Bean
    CorrelationIdLogging parleyCorrelationIdLogging() {
        return new CorrelationIdLogging();
    }

    /** Draining: from the moment the context closes, load balancers are told to send nothing new. */
    @Bean
    ApplicationListener<ContextClosedEvent> parleyReadinessOffWhenClosing() {
        return event -> AvailabilityChangeEvent.publish(event.getApplicationContext(),
                ReadinessState.REFUSING_TRAFFIC);
    }

    /*
     * The Mongo and Redis clients are defined by configurations that a condition on beans cannot reliably follow (an
     * imported configuration of the query side, the distributed auto-configuration): their contributors are
     * registered once every singleton exists, which is before readiness can turn on.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "com.mongodb.client.MongoClient")
    static class Mongo {

        @Bean
        SmartInitializingSingleton parleyReadStoreHealth(ObjectProvider<com.mongodb.client.MongoClient> client,
                                                         HealthContributorRegistry health,
                                                         ObjectProvider<ReactiveHealthContributorRegistry> reactive) {
            return () -> client.orderedStream().findFirst().ifPresent(mongo ->
                    register("readStore", new MongoReadStoreHealth(mongo), health, reactive));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.lettuce.core.RedisClient")
    static class Redis {

        @Bean
        SmartInitializingSingleton parleyRedisHealth(ObjectProvider<io.lettuce.core.RedisClient> client,
                                                     HealthContributorRegistry health,
                                                     ObjectProvider<ReactiveHealthContributorRegistry> reactive) {
            // several clients may exist (presence, the nudge); they point at the same Redis
            return () -> client.orderedStream().findFirst().ifPresent(redis ->
                    register("redis", new RedisHealth(redis), health, reactive));
        }
    }

    /**
     * Command batching ({@code BatchingCommandBus}): units of work run, the commands they carried (their ratio is the
     * mean batch size), the batches that failed and ran their commands one by one, the commands refused because their
     * lane was full, and the commands waiting now.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.parley.axon.BatchingCommandBus")
    static class CommandBatching {

        // not @ConditionalOnBean: the bus's auto-configuration may come after this one
        @Bean
        MeterBinder parleyCommandBatchMeters(ObjectProvider<io.parley.axon.BatchingCommandBus> batchingBus) {
            return registry -> batchingBus.ifAvailable(bus -> {
                FunctionCounter.builder("parley.command.batches", bus, b -> b.batchesCommandsAndFallbacks()[0])
                        .description("units of work that ran commands, one per batch").register(registry);
                FunctionCounter.builder("parley.command.batch.commands", bus, b -> b.batchesCommandsAndFallbacks()[1])
                        .description("commands run in those batches").register(registry);
                FunctionCounter.builder("parley.command.batch.fallbacks", bus, b -> b.batchesCommandsAndFallbacks()[2])
                        .description("batches that failed and ran their commands one by one").register(registry);
                FunctionCounter.builder("parley.command.refused", bus, io.parley.axon.BatchingCommandBus::refusals)
                        .description("commands refused at once (UNAVAILABLE) because their lane held"
                                + " parley.axon.command-queue-capacity waiting").register(registry);
                Gauge.builder("parley.command.queued", bus, io.parley.axon.BatchingCommandBus::queued)
                        .description("commands waiting on the lanes").register(registry);
            });
        }
    }

    /**
     * The standalone H2 database's group commit ({@code GroupCommit}): file writes, the commits that waited for one
     * (their ratio is the size of the groups), the streaming processors' commits that did not, and the forces of the
     * file to the disk; and the health contributor {@code databaseFile}, DOWN once its writer has stopped.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.parley.eventstore.h2.GroupCommit")
    static class H2GroupCommit {

        @Bean
        MeterBinder parleyH2GroupCommitMeters(ObjectProvider<io.parley.eventstore.h2.GroupCommit> groupCommit) {
            return registry -> groupCommit.ifAvailable(commits -> {
                FunctionCounter.builder("parley.h2.file.writes", commits, c -> c.writesAndCommits()[0])
                        .description("writes of committed changes to the H2 file").register(registry);
                FunctionCounter.builder("parley.h2.commits", commits, c -> c.writesAndCommits()[1])
                        .tag("durability", "synchronous")
                        .description("commits that returned once written to the file").register(registry);
                FunctionCounter.builder("parley.h2.commits", commits, c -> c.asynchronousCommits())
                        .tag("durability", "asynchronous")
                        .description("commits that returned before the file write (streaming processors)")
                        .register(registry);
                FunctionTimer.builder("parley.h2.file.syncs", commits, c -> c.syncsAndNanos()[0],
                                c -> c.syncsAndNanos()[1], TimeUnit.NANOSECONDS)
                        .description("forces of the H2 file to the disk (every parley.h2.file-sync-interval)")
                        .register(registry);
            });
        }

        // registered late, as the Mongo and Redis contributors: the group commit's auto-configuration may come after
        @Bean
        SmartInitializingSingleton parleyDatabaseFileHealth(
                ObjectProvider<io.parley.eventstore.h2.GroupCommit> groupCommit, HealthContributorRegistry health,
                ObjectProvider<ReactiveHealthContributorRegistry> reactive, OperationsProperties properties) {
            return () -> groupCommit.ifAvailable(commits -> {
                register("databaseFile", new DatabaseFileHealth(commits), health, reactive);
                register("databaseFileWrites", new DatabaseFileWritesHealth(commits, properties.maxFileWrite()),
                        health, reactive);
            });
        }
    }

    /**
     * The standalone event log ({@code parley.event-store=log}): the health contributors {@code eventLog}, DOWN once a
     * write has failed, and {@code eventLogWrites}, DOWN while a write does not come back.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.parley.eventstore.log.EventLog")
    static class EventLogFile {

        @Bean
        SmartInitializingSingleton parleyEventLogHealth(
                @Qualifier("parleyEventLog") ObjectProvider<io.parley.eventstore.log.EventLog> eventLog,
                HealthContributorRegistry health, ObjectProvider<ReactiveHealthContributorRegistry> reactive,
                OperationsProperties properties) {
            return () -> eventLog.ifAvailable(log -> {
                register("eventLog", new EventLogHealth(log), health, reactive);
                register("eventLogWrites", new EventLogWritesHealth(log, properties.maxFileWrite()), health,
                        reactive);
            });
        }
    }

    /** A node that sends its commands over HTTP: readiness follows whether any command-side node answers. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.parley.distributed.ConsistentHashCommandRouter")
    static class CommandSidePeers {

        @Bean
        SmartInitializingSingleton parleyCommandSidePeersHealth(
                ObjectProvider<io.parley.distributed.ConsistentHashCommandRouter> router,
                HealthContributorRegistry health, ObjectProvider<ReactiveHealthContributorRegistry> reactive) {
            return () -> router.ifAvailable(commands -> register("commandBus", new CommandSidePeersHealth(
                    commands.nodes().stream().map(java.net.URI::create).toList()), health, reactive));
        }
    }

    /**
     * Registers a contributor found late with both registries: a WebFlux application answers {@code /actuator/health}
     * from the reactive registry, which adapted the blocking contributors once, when it was built, and does not see
     * later ones; the management port of services without a web server reads the blocking one.
     */
    private static void register(String name, HealthIndicator indicator, HealthContributorRegistry health,
                                 ObjectProvider<ReactiveHealthContributorRegistry> reactive) {
        health.registerContributor(name, indicator);
        reactive.ifAvailable(registry -> registry.registerContributor(name, ReactiveHealthContributor.adapt(indicator)));
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnNotWebApplication
    @ConditionalOnProperty("parley.operations.management-port")
    static class Port {

        @Bean
        ManagementPort parleyManagementPort(HealthEndpoint health, HttpCodeStatusMapper statusCodes,
                                            PrometheusMeterRegistry prometheus, OperationsProperties properties) {
            return new ManagementPort(health, statusCodes, prometheus, properties);
        }
    }
}
