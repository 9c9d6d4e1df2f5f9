package io.parley.operations;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.HashMap;
import java.util.Map;

/**
 * Actuator as every Parley service exposes it, as the lowest-priority property source (an operator overrides any of
 * it): the {@code liveness} and {@code readiness} health groups (also outside Kubernetes), readiness made of the
 * contributors that decide whether this process can serve (those absent in a service are skipped), health details
 * only for the ADMIN role, the Prometheus endpoint, Axon's meters tagged by processor and payload type, and tracing:
 * on only where an OTLP endpoint is set ({@code management.otlp.tracing.endpoint}), events continuing the trace of the
 * command that caused them, and log lines naming the trace and correlation ids.
 */
public class OperationsDefaults implements EnvironmentPostProcessor {

    static final Map<String, Object> DEFAULTS = Map.ofEntries(
            Map.entry("management.endpoints.web.exposure.include", "health,prometheus,info,metrics"),
            Map.entry("management.endpoint.health.probes.enabled", "true"),
            Map.entry("management.endpoint.health.show-details", "when-authorized"),
            Map.entry("management.endpoint.health.show-components", "when-authorized"),
            Map.entry("management.endpoint.health.roles", "ADMIN"),
            Map.entry("management.endpoint.health.validate-group-membership", "false"),
            // databaseFile (standalone): a stopped writer of the H2 file fails every write until a restart;
            // databaseFileWrites: a write that does not come back holds every commit, which a restart does not mend
            // eventLog and eventLogWrites: the same for the event log (parley.event-store=log)
            Map.entry("management.endpoint.health.group.liveness.include", "livenessState,databaseFile,eventLog"),
            Map.entry("management.endpoint.health.group.readiness.include", "readinessState,db,databaseFile,"
                    + "databaseFileWrites,eventLog,eventLogWrites,eventStore,readStore,redis,axonServer,commandBus,"
                    + "projections"),
            Map.entry("management.metrics.tags.application", "${spring.application.name:parley}"),
            Map.entry("axon.metrics.micrometer.dimensional", "true"),
            // a command handled in another process, and an event handled by a streaming processor, continue the
            // trace of what caused them (Axon's default is a new trace linked to it)
            Map.entry("axon.tracing.command-bus.distributed-in-same-trace", "true"),
            Map.entry("axon.tracing.query-bus.distributed-in-same-trace", "true"),
            Map.entry("axon.tracing.event-processor.distributed-in-same-trace", "true"),
            // metadata holds user ids and client addresses: not for a trace backend
            Map.entry("axon.tracing.attribute-providers.metadata", "false"),
            // Spring Security observes each request three or four times over (filter chains, authorization): no
            // dashboard reads them, every request paid for them, and a WebSocket kept its upgrade's alive for life
            Map.entry("management.observations.enable.spring.security", "false"),
            // Spring 6.2 warns at every start that Axon 4's annotations (@Aggregate, @EventHandler, ...) override
            // attributes by convention: six WARN lines an operator can do nothing about (Axon 5 declares @AliasFor)
            Map.entry("logging.level.org.springframework.core.annotation.AnnotationTypeMapping", "error"),
            // plain-text lines name the trace, the span and the correlation id of the message being handled; lines
            // outside any handler get nothing
            Map.entry("logging.pattern.correlation",
                    "%replace([%X{traceId:-},%X{spanId:-},%X{correlationId:-}] ){'^\\[,,\\] $', ''}"));

    static final String TRACING_ENABLED = "management.tracing.enabled";
    static final String OTLP_ENDPOINT = "management.otlp.tracing.endpoint";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> defaults = new HashMap<>(DEFAULTS);
        // Tracing costs a span per request and message and has nobody to tell without an exporter: it is on where an
        // OTLP endpoint is set, unless the operator says otherwise (true: trace ids in the logs without an exporter).
        defaults.put(TRACING_ENABLED, String.valueOf(environment.containsProperty(OTLP_ENDPOINT)));
        environment.getPropertySources().addLast(new MapPropertySource("parley-operations-defaults", defaults));
    }
}
