package io.parley.axon;

import org.axonframework.common.caching.Cache;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.SnapshotterSpanFactory;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.annotation.HandlerDefinition;
import org.axonframework.messaging.annotation.ParameterResolverFactory;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.axonframework.spring.eventsourcing.SpringAggregateSnapshotter;
import org.axonframework.springboot.autoconfig.AxonAutoConfiguration;
import org.axonframework.springboot.autoconfig.JdbcAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The Axon set-up every Parley service shares: snapshots and cache for conversations, domain errors as details of
 * command failures, and the streaming processors' tuning. Numbers come from {@link ParleyAxonProperties}.
 */
@AutoConfiguration(before = {AxonAutoConfiguration.class, JdbcAutoConfiguration.class})
@EnableConfigurationProperties(ParleyAxonProperties.class)
public class ParleyAxonAutoConfiguration {

    /** Referenced by name from the Conversation aggregate's {@code @Aggregate} annotation. */
    @Bean
    @ConditionalOnMissingBean(name = "conversationSnapshotTrigger")
    SnapshotTriggerDefinition conversationSnapshotTrigger(Snapshotter snapshotter, ParleyAxonProperties properties) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, properties.snapshotThreshold());
    }

    /**
     * Referenced by name from the Conversation aggregate. Without it every command replays the conversation from its
     * last snapshot (STACK-NOTES.md measured 238 vs 932 commands/s). At most {@code parley.axon.cache-size}
     * conversations, least recently used out first, held by soft references: the JVM reclaims them only when memory
     * runs short. (Axon's {@code WeakReferenceCache} was emptied by every young collection, every few seconds under
     * load, and then every conversation was replayed from its snapshot again: 31% of command time in a profile.)
     */
    @Bean
    @ConditionalOnMissingBean(name = "conversationCache")
    Cache conversationCache(ParleyAxonProperties properties) {
        return new AggregateCache(properties.cacheSize());
    }

    /**
     * Axon's default snapshotter runs on the committing thread after the commit, while that thread still holds the
     * aggregate's lock, and takes a second database connection for the snapshot. When every pooled connection
     * belongs to a command waiting for that lock, nobody moves until the pool's timeout (30 s): seen in the
     * benchmark with a pool of 8. Snapshots are taken on their own thread instead; when more than
     * {@value #SNAPSHOT_QUEUE} wait, new requests are dropped (a snapshot only saves replay time; the next
     * threshold asks again).
     */
    @Bean
    @ConditionalOnMissingBean(Snapshotter.class)
    SpringAggregateSnapshotter aggregateSnapshotter(org.axonframework.config.Configuration configuration,
                                                   HandlerDefinition handlerDefinition,
                                                   ParameterResolverFactory parameterResolverFactory,
                                                   EventStore eventStore, TransactionManager transactionManager,
                                                   SnapshotterSpanFactory spanFactory) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(SNAPSHOT_QUEUE), runnable -> {
                    Thread thread = new Thread(runnable, "parley-snapshotter");
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.DiscardPolicy());
        return SpringAggregateSnapshotter.builder()
                .repositoryProvider(configuration::repository)
                .transactionManager(transactionManager)
                .eventStore(eventStore)
                .parameterResolverFactory(parameterResolverFactory)
                .handlerDefinition(handlerDefinition)
                .spanFactory(spanFactory)
                .executor(executor)
                .build();
    }

    private static final int SNAPSHOT_QUEUE = 1_000;

    /** Axon's rules for the aggregate a command targets, with the annotated members found once per command class. */
    @Bean
    @ConditionalOnMissingBean(CommandTargetResolver.class)
    CommandTargetResolver commandTargetResolver() {
        return new CachedAnnotationCommandTargetResolver();
    }

    /**
     * On the bus that runs this process's command handlers (a distributed bus passes it to its local segment), in every
     * process: command handlers live on the command side and in the query side ({@code RebuildProjection}). Axon's
     * {@code InterceptorAutoConfiguration} registers it, as every handler interceptor bean, on the command bus (a
     * registration here as well ran it twice for every command).
     */
    @Bean
    DomainErrorInterceptor parleyDomainErrorInterceptor() {
        return new DomainErrorInterceptor();
    }

    /** {@code MessageSent} revision 1 (attachments as strings) read as revision 2 (attachment objects). */
    @Bean
    @ConditionalOnMissingBean
    MessageSentAttachmentsUpcaster messageSentAttachmentsUpcaster() {
        return new MessageSentAttachmentsUpcaster();
    }

    /** Streaming processors are pooled, with batch size and segments from properties. */
    @Bean
    ConfigurerModule parleyProcessorTuning(ParleyAxonProperties properties) {
        return configurer -> configurer.eventProcessing(processing -> processing
                .usingPooledStreamingEventProcessors((config, builder) -> builder
                        .batchSize(properties.processorBatchSize())
                        .initialSegmentCount(properties.processorSegments())
                        .tokenClaimInterval(properties.tokenClaimInterval())));
    }
}
