package io.parley.query.store.mongo;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the {@code mongo} read store lives ({@code parley.mongo.*}).
 *
 * @param uri      a MongoDB connection string
 * @param database the database holding the read-model collections
 */
@ConfigurationProperties(prefix = "parley.mongo")
public record ParleyMongoProperties(@DefaultValue("mongodb://localhost:27017") String uri,
                                    @DefaultValue("parley") String database) {
}
