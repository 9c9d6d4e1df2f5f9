package io.parley.operations;

import com.mongodb.client.MongoClient;
import org.bson.Document;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/** The MongoDB read store answers a {@code ping}. */
class MongoReadStoreHealth extends AbstractHealthIndicator {

    private final MongoClient client;

    MongoReadStoreHealth(MongoClient client) {
        super("the MongoDB read store does not answer");
        this.client = client;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        client.getDatabase("admin").runCommand(new Document("ping", 1));
        builder.up().withDetail("store", "mongo");
    }
}
