package io.parley.push;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

import java.util.Map;

/**
 * A push node as its own process: the edge (HTTP API, WebSocket gateway, auth, fan-out, presence). It reaches the
 * command side through Axon's command bus ({@code parley.command-bus=http} and {@code parley.command-side.url} without
 * Axon Server), answers queries with the query side's handlers against the shared read store with the projections
 * off, and streams the event store for live delivery. With several nodes, {@code parley.presence=redis} shares
 * presence and typing. Configured by properties and environment only; the defaults below are the lowest-priority
 * source.
 */
@SpringBootApplication(excludeName = {"org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration"})
public class PushApplication {

    static final Map<String, Object> DEFAULTS = Map.of(
            "spring.application.name", "parley-push",
            "spring.main.banner-mode", "off",
            "server.shutdown", "graceful",
            "parley.query.projections.enabled", "false",
            "spring.codec.max-in-memory-size", "256KB",
            "logging.level.org.axonframework.eventsourcing.eventstore.EmbeddedEventStore", "warn");

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(PushApplication.class);
        application.setDefaultProperties(DEFAULTS);
        application.run(args);
    }
}
