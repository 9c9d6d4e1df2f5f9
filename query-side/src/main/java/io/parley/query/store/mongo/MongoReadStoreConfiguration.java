package io.parley.query.store.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.parley.eventstore.erasure.TextSeal;
import io.parley.query.store.ReadStores;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code parley.read-store=mongo}: read models in MongoDB at {@code parley.mongo.uri} / {@code parley.mongo.database}.
 *
 * <p>Declares its own {@link MongoClient}, so Boot's auto-configured one (localhost, {@code spring.data.mongodb.*}) backs
 * off. No Stable API ({@code serverApi}) on purpose: the MongoDB-wire test server does not implement {@code hello}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "parley.read-store", havingValue = "mongo")
@EnableConfigurationProperties(ParleyMongoProperties.class)
public class MongoReadStoreConfiguration {

    @Bean(destroyMethod = "close")
    MongoClient parleyMongoClient(ParleyMongoProperties properties) {
        return MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(properties.uri()))
                .applicationName("parley-query-side")
                .build());
    }

    @Bean
    MongoDatabase parleyMongoDatabase(MongoClient parleyMongoClient, ParleyMongoProperties properties) {
        return parleyMongoClient.getDatabase(properties.database());
    }

    @Bean
    ReadStores readStores(MongoDatabase parleyMongoDatabase, ObjectProvider<TextSeal> seal) {
        // message text sealed under its sender's erasure key: docs/decisions.md "Erasure that reaches the disk"
        return MongoReadStores.create(parleyMongoDatabase).sealedWith(seal.getIfAvailable());
    }
}
