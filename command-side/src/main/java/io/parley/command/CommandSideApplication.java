package io.parley.command;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

import java.util.Map;

/**
 * The command side as its own process: the aggregates, the event store (JDBC on {@code spring.datasource.url}, or Axon
 * Server with {@code axon.axonserver.enabled=true}) and, without Axon Server, the internal endpoint where push nodes
 * send their commands ({@code parley.command-endpoint.*}, guarded by {@code parley.internal.secret}). No web server of
 * its own. Configured by properties and environment only; the defaults below are the lowest-priority source.
 */
@SpringBootApplication(excludeName = {"org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration",
        // the command side never reads projections: should the query side's module be on the class path (one shared
        // class path, as in tests), its auto-configuration stays out of this process
        "io.parley.query.QuerySideAutoConfiguration",
        "io.parley.query.store.mongo.MongoTokenStoreAutoConfiguration",
        "io.parley.search.SearchAutoConfiguration"})
public class CommandSideApplication {

    static final Map<String, Object> DEFAULTS = Map.of(
            "spring.application.name", "parley-command-side",
            "spring.main.web-application-type", "none",
            "spring.main.banner-mode", "off",
            "parley.command-endpoint.enabled", "true",
            "logging.level.org.axonframework.eventsourcing.eventstore.EmbeddedEventStore", "warn",
            // a stack trace per aggregate not found (a send to an unknown conversation); CommandEndpoint logs any
            // failure that is not a domain answer
            "logging.level.org.axonframework.modelling.command.AbstractRepository", "error");

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(CommandSideApplication.class);
        application.setDefaultProperties(DEFAULTS);
        application.run(args);
    }
}
