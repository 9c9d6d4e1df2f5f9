package io.parley.operations;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.monitoring.MessageMonitor;
import org.axonframework.monitoring.NoOpMessageMonitorCallback;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gauge of axon-micrometer's {@code EventProcessorLatencyMonitor}, {@code prefix.latency}: how far behind its
 * timestamp (milliseconds of wall-clock time) the last event a processor took in was, one gauge per processor,
 * registered with its first event (once, whichever thread brings it). axon-micrometer registers the gauge again for
 * every event, which Micrometer answers with a WARN line at the second and a look-up each time after.
 */
final class ProcessorLatency implements MessageMonitor<EventMessage<?>> {

    private final MeterRegistry registry;
    private final String name;
    private final Iterable<Tag> tags;
    private final Clock clock;
    private final AtomicLong latency = new AtomicLong();
    private final AtomicBoolean registered = new AtomicBoolean();

    ProcessorLatency(MeterRegistry registry, String prefix, Iterable<Tag> tags) {
        this.registry = registry;
        this.name = prefix + ".latency";
        this.tags = tags;
        this.clock = registry.config().clock();
    }

    @Override
    public MonitorCallback onMessageIngested(EventMessage<?> message) {
        if (message == null) {
            return NoOpMessageMonitorCallback.INSTANCE;
        }
        if (!registered.get() && registered.compareAndSet(false, true)) {
            // strongly referenced: the gauge reads its value for as long as the registry lives, not only while
            // this monitor does
            Gauge.builder(name, latency, AtomicLong::get).tags(tags).strongReference(true).register(registry);
        }
        latency.set(clock.wallTime() - message.getTimestamp().toEpochMilli());
        return NoOpMessageMonitorCallback.INSTANCE;
    }
}
