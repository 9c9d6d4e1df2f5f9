package io.parley.operations;

import io.micrometer.core.instrument.MeterRegistry;
import org.axonframework.micrometer.GlobalMetricRegistry;
import org.axonframework.springboot.autoconfig.MicrometerMetricsAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Axon's meters registered by {@link AxonMetricRegistry} (without the capacity gauges) in every Parley service.
 * Axon's own auto-configuration then configures its monitors with it ({@code axon.metrics.micrometer.dimensional}
 * as set); {@code axon.metrics.auto-configuration.enabled=false} turns both off.
 */
@AutoConfiguration(before = MicrometerMetricsAutoConfiguration.class, afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnProperty(name = "axon.metrics.auto-configuration.enabled", matchIfMissing = true)
public class AxonMetricsAutoConfiguration {

    @Bean
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnMissingBean(GlobalMetricRegistry.class)
    GlobalMetricRegistry globalMetricRegistry(MeterRegistry registry) {
        return new AxonMetricRegistry(registry);
    }
}
