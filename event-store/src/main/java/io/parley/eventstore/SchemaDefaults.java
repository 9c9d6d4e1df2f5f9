package io.parley.eventstore;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * Turns off Spring Boot's own Flyway for every Parley service (as the lowest-priority property source). Boot runs one
 * Flyway over {@code db/migration} and everything below it; Parley's modules each run their own, over their own folder
 * with their own history table ({@link EventStoreSchema}), and Boot's would find all of them at once.
 */
public class SchemaDefaults implements EnvironmentPostProcessor {

    static final Map<String, Object> DEFAULTS = Map.of("spring.flyway.enabled", "false");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource("parley-schema-defaults", DEFAULTS));
    }
}
