package io.parley.standalone;

import io.parley.command.CommandSideApplication;
import io.parley.query.QuerySideApplication;
import org.bson.Document;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.MongoDBContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.Base64;
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

    private MongoDBContainer mongo;
    private GenericContainer<?> redis;
    private Server h2;

    @Override
    protected String eventTransport() {
        return "JDBC event store on H2 (TCP), event nudge redis, read store MongoDB";
    }

    @BeforeAll
    void startCluster() throws Exception {
        mongo = new MongoDBContainer(DockerImageName.parse("mongo:7"));
        redis = new GenericContainer<>(DockerImageName.parse("redis:7-alpine")).withExposedPorts(6379);
        mongo.start();
        redis.start();
        h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        work = Files.createTempDirectory("parley-mongo");
        String sql = "jdbc:h2:tcp://localhost:" + h2.getPort() + "/mem:parley-" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1";
        String database = "parley_" + UUID.randomUUID().toString().replace("-", "");
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopChildren));

        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        List<String> common = List.of(
                "spring.datasource.url=" + sql,
                "spring.datasource.username=sa",
                "spring.datasource.password=",
                "parley.read-store=mongo",
                "parley.mongo.uri=" + mongo.getReplicaSetUrl(),
                "parley.mongo.database=" + database,
                "parley.internal.secret=" + UUID.randomUUID(),
                "parley.redis.uri=redis://" + redis.getHost() + ":" + redis.getMappedPort(6379),
                "parley.redis.key-prefix=parley-" + UUID.randomUUID(),
                "parley.event-nudge.mode=redis");
        int commandPort = freePort();
        try {
            Child command = start("command-side", CommandSideApplication.class, common,
                    "parley.command-endpoint.address=127.0.0.1", "parley.command-endpoint.port=" + commandPort);
            awaitReady(command, () -> httpOk("http://127.0.0.1:" + commandPort + "/internal/health"));
            Child query = start("query-side", QuerySideApplication.class, common, "parley.token-store=mongo");
            awaitReady(query, () -> tokensInMongo(database));
            List<String> push = List.of("parley.command-bus=http",
                    "parley.command-side.url=http://127.0.0.1:" + commandPort,
                    "parley.presence=redis",
                    "parley.auth.jwt-secret=" + Base64.getEncoder().encodeToString(key),
                    "parley.limits.sends-per-second=200", "parley.limits.frames-per-second=400");
            node1 = startPush("push-1", common, push);
            node2 = startPush("push-2", common, push);
        } catch (Throwable e) {
            printLogs();
            throw e;
        }
    }

    @AfterAll
    void stopCluster() {
        stopChildren();
        if (h2 != null) {
            h2.stop();
        }
        if (redis != null) {
            redis.stop();
        }
        if (mongo != null) {
            mongo.stop();
        }
    }

    /** Ready when the projections hold their tokens in MongoDB (Axon's collection {@code trackingtokens}). */
    private boolean tokensInMongo(String database) {
        try (var client = com.mongodb.client.MongoClients.create(mongo.getReplicaSetUrl())) {
            return client.getDatabase(database).getCollection("trackingtokens")
                    .countDocuments(new Document("processorName", "conversation-projection")) > 0;
        } catch (RuntimeException notYet) {
            return false;
        }
    }
}
