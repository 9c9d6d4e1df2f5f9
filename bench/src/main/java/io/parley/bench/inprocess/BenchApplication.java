package io.parley.bench.inprocess;

import org.axonframework.common.caching.Cache;
import org.axonframework.common.caching.NoCache;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The standalone application's set-up (all three sides in one JVM, H2 file database) for the in-process benchmarks:
 * the same component scan and exclusions as {@code io.parley.standalone.ParleyApplication}, whose module cannot be a
 * dependency (its jar is repackaged). Properties that the standalone's application.yml sets are given by
 * {@link InProcessBench}.
 */
@SpringBootApplication(scanBasePackages = "io.parley",
        excludeName = {"org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration"})
public class BenchApplication {

    /** {@code --bench.cache=off}: replaces the conversation cache (axon-config's bean of that name) with none. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "bench.cache", havingValue = "off")
    static class NoConversationCache {
        @Bean
        Cache conversationCache() {
            return NoCache.INSTANCE;
        }
    }
}
