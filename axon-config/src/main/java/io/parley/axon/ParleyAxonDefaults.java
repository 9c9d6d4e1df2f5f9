package io.parley.axon;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * Axon defaults every Parley service shares, as the lowest-priority property source so any service or operator can
 * override them. Jackson for events, messages and snapshots: XStream is fragile on JDK 17 and fails on immutable
 * collections in records (STACK-NOTES.md).
 */
public class ParleyAxonDefaults implements EnvironmentPostProcessor {

    static final Map<String, Object> DEFAULTS = Map.of(
            "axon.serializer.general", "jackson",
            "axon.serializer.events", "jackson",
            "axon.serializer.messages", "jackson");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource("parley-axon-defaults", DEFAULTS));
    }
}
