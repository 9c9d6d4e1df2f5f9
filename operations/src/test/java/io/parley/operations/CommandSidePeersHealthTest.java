package io.parley.operations;

import io.parley.distributed.CommandEndpoint;
import io.parley.distributed.CommandWire;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.health.CompositeHealth;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node that sends its commands over HTTP is ready while at least one command-side node answers, and reports every
 * node: two real command endpoints on their own ports, stopped one after the other and one started again, with the
 * node's readiness read over real HTTP on its management port.
 */
class CommandSidePeersHealthTest {

    @SpringBootApplication
    static class Edge {
    }

    private final String secret = UUID.randomUUID().toString();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<CommandEndpoint> endpoints = new ArrayList<>();

    @AfterEach
    void stopEndpoints() {
        endpoints.forEach(CommandEndpoint::stop);
    }

    @Test
    void readinessIsDownOnlyWhileNoCommandSideNodeAnswersAndEachNodesStateIsReported() throws Exception {
        CommandEndpoint first = endpoint(0);
        CommandEndpoint second = endpoint(0);
        int firstPort = first.port();
        String firstUrl = "http://127.0.0.1:" + firstPort + "/";
        String secondUrl = "http://127.0.0.1:" + second.port() + "/";
        try (ConfigurableApplicationContext edge = new SpringApplicationBuilder(Edge.class)
                .web(WebApplicationType.NONE)
                .run("--parley.operations.management-port=0", "--axon.axonserver.enabled=false",
                        "--spring.autoconfigure.exclude=org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration",
                        "--parley.command-bus=http", "--parley.internal.secret=" + secret,
                        "--parley.command-side.url=" + firstUrl + "," + secondUrl)) {
            String readiness = "http://127.0.0.1:" + edge.getBean(ManagementPort.class).port()
                    + "/actuator/health/readiness";
            HealthEndpoint health = edge.getBean(HealthEndpoint.class);

            assertThat(get(readiness).statusCode()).isEqualTo(200);
            assertThat(peers(health).getStatus().getCode()).isEqualTo("UP");
            assertThat(peers(health).getDetails()).containsEntry("reachable", "2 of 2")
                    .containsEntry("peers", Map.of(firstUrl, "UP", secondUrl, "UP"));

            second.stop();
            assertThat(get(readiness).statusCode()).as("one node of two answers: still ready").isEqualTo(200);
            Health oneDown = peers(health);
            assertThat(oneDown.getStatus().getCode()).isEqualTo("UP");
            assertThat(oneDown.getDetails()).containsEntry("reachable", "1 of 2");
            @SuppressWarnings("unchecked") Map<String, String> states = (Map<String, String>) oneDown.getDetails().get("peers");
            assertThat(states).containsEntry(firstUrl, "UP")
                    .hasEntrySatisfying(secondUrl, state -> assertThat(state.toString()).startsWith("DOWN: "));

            first.stop();
            HttpResponse<String> none = get(readiness);
            assertThat(none.statusCode()).as("no command side: not ready").isEqualTo(503);
            assertThat(none.body()).isEqualTo("{\"status\":\"DOWN\"}");
            assertThat(peers(health).getDetails()).containsEntry("reachable", "0 of 2");
            assertThat(get(readiness.replace("readiness", "liveness")).statusCode()).as("alive all the same")
                    .isEqualTo(200);

            endpoint(firstPort);
            assertThat(get(readiness).statusCode()).as("the first node is back").isEqualTo(200);
            assertThat(peers(health).getDetails()).containsEntry("reachable", "1 of 2");
        }
    }

    @Test
    void aNodeWithoutTheHttpCommandBusHasNoCommandSidePeersToReport() {
        try (ConfigurableApplicationContext standalone = new SpringApplicationBuilder(Edge.class)
                .web(WebApplicationType.NONE)
                .run("--axon.axonserver.enabled=false",
                        "--spring.autoconfigure.exclude=org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration")) {
            CompositeHealth readiness = (CompositeHealth) standalone.getBean(HealthEndpoint.class)
                    .healthForPath("readiness");
            assertThat(readiness.getComponents()).doesNotContainKey("commandBus").containsKey("readinessState");
        }
    }

    private static Health peers(HealthEndpoint health) {
        return (Health) health.healthForPath("readiness", "commandBus");
    }

    /** A real command endpoint (the command side's door) on the given port, 0 for any. */
    private CommandEndpoint endpoint(int port) {
        CommandEndpoint endpoint = new CommandEndpoint(SimpleCommandBus.builder().build(),
                new CommandWire(JacksonSerializer.defaultSerializer()), secret,
                new InetSocketAddress("127.0.0.1", port), 2, Duration.ofSeconds(5));
        endpoint.start();
        endpoints.add(endpoint);
        return endpoint;
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
