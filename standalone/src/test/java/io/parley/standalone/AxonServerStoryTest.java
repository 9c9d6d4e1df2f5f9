package io.parley.standalone;

import io.parley.command.CommandSideApplication;
import io.parley.query.QuerySideApplication;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

import java.nio.file.Files;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The distributed story with Axon Server ({@code axoniq/axonserver}) as event store and message router: commands and
 * queries routed by Axon Server, events streamed from it to the projections and to both push nodes' live delivery
 * (no nudge: Axon Server pushes). Read models and tracking tokens in the embedded SQL store, shared through an H2 TCP
 * server this test runs (the edge's credentials live there too); presence through Redis in a container.
 * Skipped where Docker is absent.
 */
@Testcontainers(disabledWithoutDocker = true)
class AxonServerStoryTest extends DistributedStories {

    private GenericContainer<?> axonServer;
    private GenericContainer<?> redis;
    private Server h2;

    @Override
    protected String eventTransport() {
        return "Axon Server";
    }

    @BeforeAll
    void startCluster() throws Exception {
        axonServer = new GenericContainer<>(DockerImageName.parse("axoniq/axonserver:latest"))
                .withEnv("AXONIQ_AXONSERVER_STANDALONE", "true")
                .withEnv("AXONIQ_AXONSERVER_DEVMODE_ENABLED", "true")
                .withExposedPorts(8024, 8124)
                .waitingFor(Wait.forHttp("/actuator/health").forPort(8024).forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(3)));
        redis = new GenericContainer<>(DockerImageName.parse("redis:7-alpine")).withExposedPorts(6379);
        axonServer.start();
        redis.start();
        h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        work = Files.createTempDirectory("parley-axonserver");
        String sql = "jdbc:h2:tcp://localhost:" + h2.getPort() + "/mem:parley-" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1";
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopChildren));

        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        List<String> common = List.of(
                "axon.axonserver.enabled=true",
                "axon.axonserver.servers=" + axonServer.getHost() + ":" + axonServer.getMappedPort(8124),
                "spring.datasource.url=" + sql,
                "spring.datasource.username=sa",
                "spring.datasource.password=",
                "parley.redis.uri=redis://" + redis.getHost() + ":" + redis.getMappedPort(6379),
                "parley.redis.key-prefix=parley-" + UUID.randomUUID());
        try {
            // commands reach the command side through Axon Server: no endpoint of our own
            Child command = start("command-side", CommandSideApplication.class, common,
                    "parley.command-endpoint.enabled=false");
            Child query = start("query-side", QuerySideApplication.class, common);
            awaitReady(query, () -> projectionsRunning(sql));
            // the command side has no port of its own here: it is ready when Axon Server knows its handlers, which
            // the first registration below proves (it sends RegisterUser)
            awaitReady(command, () -> command.logText().contains("Started CommandSideApplication"));
            List<String> push = List.of("parley.presence=redis",
                    "parley.auth.jwt-secret=" + Base64.getEncoder().encodeToString(key));
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
        if (axonServer != null) {
            axonServer.stop();
        }
    }

    static boolean projectionsRunning(String url) {
        try (var connection = DriverManager.getConnection(url, "sa", "");
             var statement = connection.prepareStatement("SELECT count(*) FROM TokenEntry"
                     + " WHERE processorName = 'conversation-projection' AND owner IS NOT NULL");
             ResultSet rows = statement.executeQuery()) {
            return rows.next() && rows.getInt(1) > 0;
        } catch (Exception notYet) {
            return false;
        }
    }
}
