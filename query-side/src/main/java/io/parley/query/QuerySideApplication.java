package io.parley.query;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

import java.util.Map;

/**
 * The query side as its own process: the projections (named streaming processors) reading the event store into the
 * read store ({@code parley.read-store}: {@code embedded} SQL on {@code spring.datasource.url}, or {@code mongo}), and
 * the query handlers. Push nodes answer their queries themselves against the same read store with projections off
 * ({@code parley.query.projections.enabled=false}); this process is where the read models are written. No web server.
 */
@SpringBootApplication(excludeName = {"org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration"})
public class QuerySideApplication {

    static final Map<String, Object> DEFAULTS = Map.of(
            "spring.application.name", "parley-query-side",
            "spring.main.web-application-type", "none",
            "spring.main.keep-alive", "true",
            "spring.main.banner-mode", "off",
            "logging.level.org.axonframework.eventsourcing.eventstore.EmbeddedEventStore", "warn",
            "logging.level.org.axonframework.eventhandling.pooled", "warn");

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(QuerySideApplication.class);
        application.setDefaultProperties(DEFAULTS);
        application.run(args);
    }
}
