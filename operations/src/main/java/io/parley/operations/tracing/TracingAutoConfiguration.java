package io.parley.operations.tracing;

import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.axonframework.tracing.SpanFactory;
import org.springframework.boot.actuate.autoconfigure.tracing.ConditionalOnEnabledTracing;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Axon's spans through Micrometer Tracing, when tracing is on ({@code OperationsDefaults}: only where an OTLP endpoint
 * is set, unless {@code management.tracing.enabled} says otherwise). Off, Axon keeps its no-op span factory and the
 * path of a message is what it was without tracing.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.actuate.autoconfigure.tracing.MicrometerTracingAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.tracing.OpenTelemetryTracingAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.tracing.BraveAutoConfiguration"},
        beforeName = "org.axonframework.springboot.autoconfig.AxonTracingAutoConfiguration")
@ConditionalOnEnabledTracing
public class TracingAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(SpanFactory.class)
    @ConditionalOnBean({Tracer.class, Propagator.class})
    SpanFactory parleySpanFactory(Tracer tracer, Propagator propagator) {
        return new TraceSpanFactory(tracer, propagator);
    }
}
