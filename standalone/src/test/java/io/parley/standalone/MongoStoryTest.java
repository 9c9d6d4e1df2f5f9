package io.parley.standalone;

import org.bson.Document;
import org.testcontainers.containers.MongoDBContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

import java.util.List;
import java.util.UUID;

/**
 * The distributed story with the MongoDB read store ({@code mongo} image): projections write timelines, inboxes and
 * users to MongoDB and keep their tracking tokens there too ({@code parley.token-store=mongo}, Axon's Mongo
 * extension), and both push nodes answer queries from the same MongoDB. Events in the JDBC store on an H2 TCP server
 * this test runs (which also holds the edge's credentials), commands over HTTP, the Redis nudge and presence through
 * Redis in a container. Skipped where Docker is absent.
 */
@Testcontainers(disabledWithoutDocker = true)
class MongoStoryTest extends DistributedStories {

    @Override
    protected String eventTransport() {
        return "JDBC event store on H2 (TCP), event nudge redis, read store MongoDB";
    }

    @Override
    protected Deployment deploy() throws Exception {
        MongoDBContainer mongo = closeAfter(new MongoDBContainer(DockerImageName.parse("mongo:7")));
        mongo.start();
        String redis = redisContainer();
        String sql = h2Database();
        String database = "parley_" + UUID.randomUUID().toString().replace("-", "");
        List<String> common = List.of(
                "spring.datasource.url=" + sql,
                "spring.datasource.username=sa",
                "spring.datasource.password=",
                "parley.read-store=mongo",
                "parley.mongo.uri=" + mongo.getReplicaSetUrl(),
                "parley.mongo.database=" + database,
                "parley.internal.secret=" + UUID.randomUUID(),
                "parley.redis.uri=" + redis,
                "parley.redis.key-prefix=parley-" + UUID.randomUUID(),
                "parley.event-nudge.mode=redis");
        return new Deployment(common, true, List.of("parley.token-store=mongo"),
                () -> tokensInMongo(mongo.getReplicaSetUrl(), database),
                List.of("parley.limits.sends-per-second=200", "parley.limits.frames-per-second=400"));
    }

    /** Ready when the projections hold their tokens in MongoDB (Axon's collection {@code trackingtokens}). */
    private static boolean tokensInMongo(String uri, String database) {
        try (var client = com.mongodb.client.MongoClients.create(uri)) {
            return client.getDatabase(database).getCollection("trackingtokens")
                    .countDocuments(new Document("processorName", "conversation-projection")) > 0;
        } catch (RuntimeException notYet) {
            return false;
        }
    }
}
