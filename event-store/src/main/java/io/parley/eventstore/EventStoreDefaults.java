package io.parley.eventstore;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * Where events are kept when {@code parley.event-store} is not set (as the lowest-priority property source, after the
 * configuration files are read): {@code log}, the event log ({@code io.parley.eventstore.log}), when
 * {@code spring.datasource.url} is an H2 file database ({@code jdbc:h2:file:} or {@code jdbc:h2:retry:file:}, the
 * standalone mode's); {@code jdbc}, Axon's event table, otherwise (PostgreSQL in the distributed mode, H2 in memory).
 * The log carries about twice the messages per second on two cores (docs/benchmark.md, issue 17's nineteenth stop).
 * axon-config's {@code SettingsCheck} refuses {@code log} set by hand with any other database.
 */
public class EventStoreDefaults implements EnvironmentPostProcessor, Ordered {

    static final String SETTING = "parley.event-store";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getProperty(SETTING) == null) {
            environment.getPropertySources().addLast(new MapPropertySource("parley-event-store-default",
                    Map.of(SETTING, defaultFor(environment.getProperty("spring.datasource.url")))));
        }
    }

    /** {@code log} for an H2 file database's URL, {@code jdbc} for any other or none. */
    static String defaultFor(String datasourceUrl) {
        return isH2File(datasourceUrl) ? "log" : "jdbc";
    }

    /** Whether the URL is an H2 file database's, the standalone mode's ({@code null}: no). */
    public static boolean isH2File(String datasourceUrl) {
        return datasourceUrl != null && datasourceUrl.matches("jdbc:h2:(retry:)?file:.*");
    }

    @Override
    public int getOrder() {
        return ConfigDataEnvironmentPostProcessor.ORDER + 1; // the files' spring.datasource.url is known
    }
}
