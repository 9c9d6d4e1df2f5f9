package io.parley.axon;

import org.axonframework.common.caching.Cache;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.SnapshotterSpanFactory;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.annotation.HandlerDefinition;
import org.axonframework.messaging.annotation.ParameterResolverFactory;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.axonframework.serialization.RevisionResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.eventsourcing.SpringAggregateSnapshotter;
import org.axonframework.springboot.autoconfig.AxonAutoConfiguration;
import org.axonframework.springboot.autoconfig.JdbcAutoConfiguration;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The Axon set-up every Parley service shares: snapshots and cache for conversations, domain errors as details of
 * command failures, and the streaming processors' tuning. Numbers come from {@link ParleyAxonProperties}.
 */
@AutoConfiguration(before = {AxonAutoConfiguration.class, JdbcAutoConfiguration.class})
@EnableConfigurationProperties(ParleyAxonProperties.class)
public class ParleyAxonAutoConfiguration {

    /**
     * The thread snapshots are taken and stored on, started with the first (not a bean: a bean of type
     * {@code Executor} would stand in for Spring Boot's task executor). Its queue is not bounded by count: Axon's
     * snapshotter queues at most one request per aggregate (it remembers which are in progress, and a request that a
     * full queue dropped would stay "in progress" for good: that aggregate would never be snapshotted again), and
     * {@link CachedAggregateSnapshotter} bounds the bytes its snapshots hold while they wait.
     */
    private final ThreadPoolExecutor snapshotThread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "parley-snapshotter");
                thread.setDaemon(true);
                return thread;
            });

    /**
     * Referenced by name from the Conversation aggregate's {@code @Aggregate} annotation: a snapshot every
     * {@code parley.axon.snapshot-threshold} events on average (each conversation's own count between half and one and
     * a half times it: {@link CachedSnapshotTriggerDefinition#spreadAround}), taken from the cached conversation as the
     * command leaves it ({@link CachedAggregateSnapshotter}, asked in the command's prepare-commit phase by
     * {@link CachedSnapshotTriggerDefinition}), by Axon's snapshotter from the events where it is not at hand.
     */
    @Bean
    @ConditionalOnMissingBean(name = "conversationSnapshotTrigger")
    SnapshotTriggerDefinition conversationSnapshotTrigger(Snapshotter snapshotter,
                                                          @Qualifier("conversationCache") Cache conversationCache,
                                                          EventStore eventStore, Serializer serializer,
                                                          TransactionManager transactionManager,
                                                          ParameterResolverFactory parameterResolverFactory,
                                                          HandlerDefinition handlerDefinition,
                                                          ParleyAxonProperties properties) {
        return CachedSnapshotTriggerDefinition.spreadAround(new CachedAggregateSnapshotter(conversationCache,
                snapshotter, eventStore, serializer, transactionManager, snapshotThread, parameterResolverFactory,
                handlerDefinition, CachedAggregateSnapshotter.MAX_QUEUED_BYTES), properties.snapshotThreshold());
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
     * benchmark with a pool of 8. Snapshots are taken on their own thread instead.
     */
    @Bean
    @ConditionalOnMissingBean(Snapshotter.class)
    SpringAggregateSnapshotter aggregateSnapshotter(org.axonframework.config.Configuration configuration,
                                                   HandlerDefinition handlerDefinition,
                                                   ParameterResolverFactory parameterResolverFactory,
                                                   EventStore eventStore, TransactionManager transactionManager,
                                                   SnapshotterSpanFactory spanFactory) {
        return SpringAggregateSnapshotter.builder()
                .repositoryProvider(configuration::repository)
                .transactionManager(transactionManager)
                .eventStore(eventStore)
                .parameterResolverFactory(parameterResolverFactory)
                .handlerDefinition(handlerDefinition)
                .spanFactory(spanFactory)
                .executor(snapshotThread)
                .build();
    }

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

    /**
     * Axon's general serializer (which is also its message and event serializer when all three are {@code jackson},
     * as {@link ParleyAxonDefaults} sets them) with the class of each serialized type looked up once
     * ({@link ClassCachingJacksonSerializer}). Only the bean Axon's {@code AxonAutoConfiguration} makes is replaced,
     * when it is a plain {@link JacksonSerializer}, by one with its object mapper, converter and Axon's
     * {@link RevisionResolver} bean (the one it was built with); a serializer an application defines itself is left
     * as it is.
     */
    @Bean
    static BeanPostProcessor parleyClassCachingSerializer(ObjectProvider<RevisionResolver> revisionResolver) {
        return new AxonSerializerReplacement(revisionResolver);
    }

    private static final class AxonSerializerReplacement implements BeanPostProcessor, BeanFactoryAware {

        private final ObjectProvider<RevisionResolver> revisionResolver;
        private ConfigurableListableBeanFactory beanFactory;

        AxonSerializerReplacement(ObjectProvider<RevisionResolver> revisionResolver) {
            this.revisionResolver = revisionResolver;
        }

        @Override
        public void setBeanFactory(BeanFactory beanFactory) {
            this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
        }

        @Override
        public Object postProcessAfterInitialization(Object bean, String beanName) {
            if ("serializer".equals(beanName) && bean.getClass() == JacksonSerializer.class && axonsOwn(beanName)) {
                return ClassCachingJacksonSerializer.of((JacksonSerializer) bean, revisionResolver.getObject());
            }
            return bean;
        }

        private boolean axonsOwn(String beanName) {
            return beanFactory.containsBeanDefinition(beanName)
                    && beanFactory.getBeanDefinition(beanName) instanceof AnnotatedBeanDefinition definition
                    && definition.getFactoryMethodMetadata() != null
                    && AxonAutoConfiguration.class.getName()
                    .equals(definition.getFactoryMethodMetadata().getDeclaringClassName());
        }
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
