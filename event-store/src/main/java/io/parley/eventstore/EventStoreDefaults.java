package io.parley.eventstore;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;
import java.util.regex.Pattern;

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

    /** The standalone mode's H2 file database: {@code jdbc:h2:file:} or {@code jdbc:h2:retry:file:}. */
    private static final Pattern H2_FILE = Pattern.compile("jdbc:h2:(retry:)?file:.*");

    /**
     * An embedded H2 database on a disk in any spelling H2 accepts ({@code jdbc:h2:./x}, {@code jdbc:h2:nio:},
     * {@code jdbc:h2:split:}...): not in memory ({@code mem:} and the in-memory file systems), not a server's
     * ({@code tcp:}, {@code ssl:}).
     */
    private static final Pattern H2_ON_A_DISK = Pattern.compile(
            "jdbc:h2:(?!(?:[a-zA-Z]+:)*(?:mem|memFS|memLZF|nioMemFS|nioMemLZF|tcp|ssl):).*");

    /**
     * Whether the URL is an H2 file database's as the standalone mode writes it ({@link #H2_FILE}; {@code null}: no),
     * where the event log is the default and may be chosen (axon-config's {@code SettingsCheck} has the same rule).
     */
    public static boolean isH2File(String datasourceUrl) {
        return datasourceUrl != null && H2_FILE.matcher(datasourceUrl.trim()).matches();
    }

    /**
     * Whether the URL is an embedded H2 database on a disk however it is spelled ({@code null}: no): where a data
     * directory may have had its events moved into the log, so that the event table is refused once the log holds
     * events ({@code EventsInTheLog}), not only when the URL is written as the standalone mode writes it.
     */
    public static boolean isH2OnADisk(String datasourceUrl) {
        return datasourceUrl != null && H2_ON_A_DISK.matcher(datasourceUrl.trim()).matches();
    }

    @Override
    public int getOrder() {
        return ConfigDataEnvironmentPostProcessor.ORDER + 1; // the files' spring.datasource.url is known
    }
}
