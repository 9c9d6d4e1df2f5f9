package io.parley.query.store.mongo;

import com.mongodb.client.MongoClient;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.extensions.mongo.DefaultMongoTemplate;
import org.axonframework.extensions.mongo.eventsourcing.tokenstore.MongoTokenStore;
import org.axonframework.serialization.Serializer;
import org.axonframework.springboot.autoconfig.JdbcAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * {@code parley.token-store=mongo} (with {@code parley.read-store=mongo}): the processors' tracking tokens live in the
 * read store's MongoDB database (collection {@code trackingtokens}, Axon's Mongo extension), so a query-side node
 * needs no SQL database at all. Ordered before Axon's JDBC auto-configuration, whose {@code JdbcTokenStore} backs off.
 * <p>
 * Tokens and read models are then written separately (MongoDB has no transaction across them here): after a crash a
 * processor may see a batch again, which the projections tolerate by design (idempotent upserts guarded by seq).
 */
@AutoConfiguration(before = JdbcAutoConfiguration.class)
@ConditionalOnClass(MongoTokenStore.class)
@ConditionalOnProperty(name = "parley.token-store", havingValue = "mongo")
@EnableConfigurationProperties(ParleyMongoProperties.class)
public class MongoTokenStoreAutoConfiguration {

    @Bean
    TokenStore tokenStore(MongoClient parleyMongoClient, ParleyMongoProperties properties, Serializer serializer) {
        MongoTokenStore store = MongoTokenStore.builder()
                .mongoTemplate(DefaultMongoTemplate.builder()
                        .mongoDatabase(parleyMongoClient, properties.database())
                        .build())
                .serializer(serializer)
                .build();
        store.ensureIndexes();
        return store;
    }
}
