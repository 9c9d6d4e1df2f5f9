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

    static final Map<String, Object> DEFAULTS = Map.ofEntries(
            Map.entry("axon.serializer.general", "jackson"),
            Map.entry("axon.serializer.events", "jackson"),
            Map.entry("axon.serializer.messages", "jackson"),
            // The connector is on every class path (distributed mode may use Axon Server) but off unless asked for.
            Map.entry("axon.axonserver.enabled", "false"),
            // Axon's gateway logs every command that ends in an exception at WARN, a caller's mistake (an edit of a
            // missing message: a 404) included: noise any user could flood the log with. Real failures are logged by
            // the edge at ERROR (ErrorResponses).
            Map.entry("logging.level.org.axonframework.commandhandling.gateway.DefaultCommandGateway", "error"),
            // Axon's timeouts (4.11+) guard each unit of work (a command, a query, a processor's batch: a warning
            // after 10 s, interrupted after 60 s) and each handler invoked inside it (warning after 10 s, interrupted
            // after 30 s). The handler's guard costs a walk of the thread's stack per handler per message
            // (AxonTimeLimitedTask.start): 9.6% of the CPU of a projection rebuild, and every processor and command
            // paid it live (docs/benchmark.md, issue 17). The units of work keep theirs: a stuck handler is still
            // reported after 10 s and interrupted, after 60 s instead of 30 s.
            Map.entry("axon.timeout.handler.events.timeout-ms", "-1"),
            Map.entry("axon.timeout.handler.events.warning-threshold-ms", "-1"),
            Map.entry("axon.timeout.handler.commands.timeout-ms", "-1"),
            Map.entry("axon.timeout.handler.commands.warning-threshold-ms", "-1"),
            Map.entry("axon.timeout.handler.queries.timeout-ms", "-1"),
            Map.entry("axon.timeout.handler.queries.warning-threshold-ms", "-1"),
            Map.entry("axon.timeout.handler.deadlines.timeout-ms", "-1"),
            Map.entry("axon.timeout.handler.deadlines.warning-threshold-ms", "-1"));

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
