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
            // after 10 s, interrupted after 60 s) and each handler invoked inside it. Every guard starts with a walk
            // of the thread's stack (AxonTimeLimitedTask.start calls Thread.getStackTrace, whatever the limits are
            // set to): per handler it was 9.6% of the CPU of a projection rebuild, per unit of work 5% of the server's
            // CPU at 1,000 msg/s (half for the commands, half for the processors' batches; docs/benchmark.md, issue
            // 17). So they are off. A stuck processor still shows: its lag grows in parley_projection_lag and takes
            // readiness OUT_OF_SERVICE (parley.operations.max-projection-lag). axon.timeout.enabled=true turns the
            // units of work's guard back on; the handlers' stays off unless its limits are set too (README).
            Map.entry("axon.timeout.enabled", "false"),
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
