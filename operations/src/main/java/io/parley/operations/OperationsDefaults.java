package io.parley.operations;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * Actuator as every Parley service exposes it, as the lowest-priority property source (an operator overrides any of
 * it): the {@code liveness} and {@code readiness} health groups (also outside Kubernetes), readiness made of the
 * contributors that decide whether this process can serve (those absent in a service are skipped), health details
 * only for the ADMIN role, the Prometheus endpoint, and Axon's meters tagged by processor and payload type.
 */
public class OperationsDefaults implements EnvironmentPostProcessor {

    static final Map<String, Object> DEFAULTS = Map.ofEntries(
            Map.entry("management.endpoints.web.exposure.include", "health,prometheus,info,metrics"),
            Map.entry("management.endpoint.health.probes.enabled", "true"),
            Map.entry("management.endpoint.health.show-details", "when-authorized"),
            Map.entry("management.endpoint.health.show-components", "when-authorized"),
            Map.entry("management.endpoint.health.roles", "ADMIN"),
            Map.entry("management.endpoint.health.validate-group-membership", "false"),
            Map.entry("management.endpoint.health.group.liveness.include", "livenessState"),
            Map.entry("management.endpoint.health.group.readiness.include",
                    "readinessState,db,eventStore,readStore,redis,axonServer,commandBus,projections"),
            Map.entry("management.metrics.tags.application", "${spring.application.name:parley}"),
            Map.entry("axon.metrics.micrometer.dimensional", "true"));

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource("parley-operations-defaults", DEFAULTS));
    }
}
