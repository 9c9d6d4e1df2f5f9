package io.parley.search;

import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Message search on this node: the Lucene index under the data dir, the projection that keeps it ({@value
 * SearchProjection#PROCESSING_GROUP}, a pooled streaming processor with one segment and its token in the index) and
 * the query handlers. Every node that answers searches runs its own (docs/distributed.md).
 * {@code parley.search.enabled=false} leaves it all out. Imported by {@link SearchAutoConfiguration}, and found by
 * applications that component-scan {@code io.parley} (standalone), like the query side's beans.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "parley.search.enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SearchProperties.class)
public class SearchConfiguration {

    @Bean(destroyMethod = "close")
    MessageIndex searchIndex(SearchProperties properties, @Value("${parley.data-dir:./data}") String dataDir) {
        Path path = properties.indexDir() != null ? properties.indexDir() : Path.of(dataDir, "search-index");
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the search index directory " + path, e);
        }
        return MessageIndex.open(path);
    }

    @Bean
    SearchBarrier searchBarrier(ObjectProvider<EventStore> eventStore, MessageIndex index,
                                @Value("${parley.query.consistency-wait:5s}") Duration maxWait,
                                @Value("${parley.query.gap-patience:250ms}") Duration gapPatience) {
        // the event store is looked up at the first search: Axon's configuration, which builds it, needs this module's
        // processor set-up first
        return new SearchBarrier(() -> eventStore.getObject().createHeadToken(), index::refresh, maxWait, gapPatience);
    }

    @Bean(destroyMethod = "flush")
    SearchTokens searchTokens(MessageIndex index, Serializer serializer, SearchBarrier barrier,
                              SearchProperties properties) {
        return new SearchTokens(new IndexTokenStore(SearchProjection.PROCESSING_GROUP, index, serializer,
                properties.commitInterval(), Clock.systemUTC(), barrier::indexedAt));
    }

    @Bean
    SearchProjection searchProjection(MessageIndex index) {
        return new SearchProjection(index);
    }

    @Bean
    SearchProjection.EveryEvent searchProjectionEveryEvent() {
        return new SearchProjection.EveryEvent();
    }

    @Bean
    SearchQueryHandlers searchQueryHandlers(MessageIndex index, SearchBarrier barrier, SearchTokens tokens) {
        return new SearchQueryHandlers(index, barrier, tokens.store());
    }

    /** The processor: one segment (events in stream order), its own batch size, its token in the index. */
    @Bean
    ConfigurerModule searchProcessor(ObjectProvider<SearchTokens> tokens, SearchProperties properties) {
        return configurer -> configurer.eventProcessing(processing -> processing
                .registerPooledStreamingEventProcessor(SearchProjection.PROCESSING_GROUP, Configuration::eventStore,
                        (config, builder) -> builder
                                .initialSegmentCount(1)
                                .maxClaimedSegments(1)
                                .batchSize(properties.batchSize()))
                .registerTokenStore(SearchProjection.PROCESSING_GROUP, config -> tokens.getObject().store()));
    }
}
