package io.parley.operations;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * {@code parley.operations.*}: what readiness tolerates, and the management port of the services that have no web
 * server of their own (command side, query side, notifications).
 *
 * @param maxProjectionLag  readiness is OUT_OF_SERVICE while a streaming processor of this process is more than this
 *                          many events behind the head of the event store
 * @param managementPort    when set, a service without a web server answers {@code /actuator/health},
 *                          {@code /actuator/health/liveness}, {@code /actuator/health/readiness} and
 *                          {@code /actuator/prometheus} on this port (0: any free port); unset: no port
 * @param managementAddress the address that port binds to: a private one (the default is the loopback interface)
 * @param maxFileWrite      standalone: readiness's {@code databaseFileWrites} is DOWN while one write to the H2 file,
 *                          or one force of it to the disk, has taken longer than this (writes take milliseconds, H2's
 *                          slowest measured ~1 s; every commit that waits for the file waits for the write)
 */
@ConfigurationProperties("parley.operations")
public record OperationsProperties(@DefaultValue("10000") long maxProjectionLag, Integer managementPort,
                                   @DefaultValue("127.0.0.1") String managementAddress,
                                   @DefaultValue("30s") Duration maxFileWrite) {

    public OperationsProperties {
        if (maxFileWrite == null || maxFileWrite.isZero() || maxFileWrite.isNegative()) {
            // zero would report every write as stuck while it runs
            throw new IllegalArgumentException("parley.operations.max-file-write must be more than 0 (a duration such as"
                    + " 30s), not " + (maxFileWrite == null ? "empty" : maxFileWrite.toMillis() + "ms"));
        }
    }
}
