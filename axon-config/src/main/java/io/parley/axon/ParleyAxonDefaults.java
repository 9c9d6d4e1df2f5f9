package io.parley.axon;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * Axon defaults every Parley service shares, as the lowest-priority property source so any service or operator can
 * override them. Jackson for events, messages and snapshots: XStream is fragile on JDK 17 and fails on immutable
 * collections in records (STACK-NOTES.md). Axon Server is off unless {@code axon.axonserver.enabled=true}: the event
 * store is then the JDBC one on {@code spring.datasource.url}.
 */
public class ParleyAxonDefaults implements EnvironmentPostProcessor {

    static final Map<String, Object> DEFAULTS = Map.of(
            "axon.serializer.general", "jackson",
            "axon.serializer.events", "jackson",
            "axon.serializer.messages", "jackson",
            // The connector is on every class path (distributed mode may use Axon Server) but off unless asked for.
            "axon.axonserver.enabled", "false",
            // Axon's gateway logs every command that ends in an exception at WARN, a caller's mistake (an edit of a
            // missing message: a 404) included: noise any user could flood the log with. Real failures are logged by
            // the edge at ERROR (ErrorResponses).
            "logging.level.org.axonframework.commandhandling.gateway.DefaultCommandGateway", "error");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource("parley-axon-defaults", DEFAULTS));
        // A chat server does not phone home unless its operator opts in: AxonIQ's update checker reads system
        // properties only, so the default is set here; -Daxoniq.update-checker.disabled=false turns it back on.
        if (System.getProperty("axoniq.update-checker.disabled") == null) {
            System.setProperty("axoniq.update-checker.disabled", "true");
        }
        if (System.getProperty("disable-axoniq-console-message") == null) {
            System.setProperty("disable-axoniq-console-message", "true");
        }
    }
}
