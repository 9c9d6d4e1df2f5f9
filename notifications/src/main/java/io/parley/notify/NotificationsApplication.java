package io.parley.notify;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

import java.util.Map;

/**
 * The notification service as its own process (distributed mode): the notification processor reading the event store
 * with its own tracking token, and the senders; its tables on {@code spring.datasource.url} (PostgreSQL), shared with
 * the push nodes, which expose the device and settings endpoints. No web server.
 */
@SpringBootApplication(excludeName = {"org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration"})
public class NotificationsApplication {

    static final Map<String, Object> DEFAULTS = Map.of(
            "spring.application.name", "parley-notifications",
            "spring.main.web-application-type", "none",
            "spring.main.keep-alive", "true",
            "spring.main.banner-mode", "off",
            "logging.level.org.axonframework.eventsourcing.eventstore.EmbeddedEventStore", "warn",
            "logging.level.org.axonframework.eventhandling.pooled", "warn");

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(NotificationsApplication.class);
        application.setDefaultProperties(DEFAULTS);
        application.run(args);
    }
}
