package io.parley.standalone;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;
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

    @Override
    protected String eventTransport() {
        return "Axon Server";
    }

    @Override
    protected Deployment deploy() throws Exception {
        GenericContainer<?> axonServer = closeAfter(new GenericContainer<>(
                DockerImageName.parse("axoniq/axonserver:latest"))
                .withEnv("AXONIQ_AXONSERVER_STANDALONE", "true")
                .withEnv("AXONIQ_AXONSERVER_DEVMODE_ENABLED", "true")
                .withExposedPorts(8024, 8124)
                .waitingFor(Wait.forHttp("/actuator/health").forPort(8024).forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(3))));
        axonServer.start();
        String redis = redisContainer();
        String sql = h2Database();
        List<String> common = List.of(
                "axon.axonserver.enabled=true",
                "axon.axonserver.servers=" + axonServer.getHost() + ":" + axonServer.getMappedPort(8124),
                "spring.datasource.url=" + sql,
                "spring.datasource.username=sa",
                "spring.datasource.password=",
                "parley.redis.uri=" + redis,
                "parley.redis.key-prefix=parley-" + UUID.randomUUID());
        return new Deployment(common, false, List.of(), () -> projectionsRunning(sql, "sa"), List.of());
    }
}
