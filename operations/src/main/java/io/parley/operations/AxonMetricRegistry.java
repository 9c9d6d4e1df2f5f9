package io.parley.operations;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.messaging.Message;
import org.axonframework.micrometer.EventProcessorLatencyMonitor;
import org.axonframework.micrometer.GlobalMetricRegistry;
import org.axonframework.micrometer.MessageCountingMonitor;
import org.axonframework.micrometer.MessageTimerMonitor;
import org.axonframework.micrometer.TagsUtil;
import org.axonframework.monitoring.MessageMonitor;
import org.axonframework.monitoring.MultiMessageMonitor;
import org.axonframework.queryhandling.QueryBus;
import org.axonframework.queryhandling.QueryUpdateEmitter;

import java.util.List;
import java.util.function.Function;

/**
 * Axon's meters (axon-micrometer) as its {@link GlobalMetricRegistry} registers them, with the same names and tags,
 * but without {@code CapacityMonitor} (the {@code commandBus.capacity}, {@code queryBus.capacity} and
 * {@code eventProcessor.capacity} gauges). Every other monitor is axon-micrometer's own: counters, timers and the
 * processors' latency.
 * <p>
 * Why: {@code CapacityMonitor} keeps every message's handling time for ten minutes, one
 * {@code ConcurrentSkipListMap} entry (~85 bytes with its two {@code Long}s and its share of the index) per message
 * in every component it monitors, and sums them all at each scrape. Parley monitors the command bus and four
 * processors, so at 3,000 messages/s that is 15,000 entries a second and ~9 million held after ten minutes (about
 * 760 MB of a 2 GB heap), each copied out of the young generation before it dies (issue 17, docs/benchmark.md,
 * twenty-second stop). The same figure is {@code rate(…_allTimer_seconds_sum[10m])} over the timers kept here.
 * <p>
 * Used by Axon's Spring Boot auto-configuration in place of its own registry, for both
 * {@code axon.metrics.micrometer.dimensional} settings; event buses are registered as Axon does.
 */
public class AxonMetricRegistry extends GlobalMetricRegistry {

    private static final String EVENT_PROCESSOR = "eventProcessor";

    public AxonMetricRegistry(MeterRegistry registry) {
        super(registry);
    }

    @Override
    public MessageMonitor<? extends Message<?>> registerComponent(Class<?> componentType, String componentName) {
        if (EventProcessor.class.isAssignableFrom(componentType)) {
            return eventProcessor(componentName, message -> Tags.empty(), message -> Tags.empty());
        }
        if (handlesOneByOne(componentType)) {
            return handler(componentName, message -> Tags.empty());
        }
        return super.registerComponent(componentType, componentName);
    }

    @Override
    public MessageMonitor<? extends Message<?>> registerComponentWithDefaultTags(Class<?> componentType,
                                                                                 String componentName) {
        if (EventProcessor.class.isAssignableFrom(componentType)) {
            Tags processor = Tags.of(TagsUtil.PROCESSOR_NAME_TAG, componentName);
            return eventProcessor(EVENT_PROCESSOR,
                    message -> processor.and(TagsUtil.PAYLOAD_TYPE_TAG, message.getPayloadType().getSimpleName()),
                    message -> processor);
        }
        if (handlesOneByOne(componentType)) {
            return handler(componentName, TagsUtil.PAYLOAD_TYPE_TAGGER_FUNCTION);
        }
        return super.registerComponentWithDefaultTags(componentType, componentName);
    }

    private static boolean handlesOneByOne(Class<?> componentType) {
        return CommandBus.class.isAssignableFrom(componentType) || QueryBus.class.isAssignableFrom(componentType)
                || QueryUpdateEmitter.class.isAssignableFrom(componentType);
    }

    /** The latency gauge is one per processor, whatever the payload (as Axon registers it). */
    private MessageMonitor<EventMessage<?>> eventProcessor(String prefix, Function<Message<?>, Iterable<Tag>> tags,
                                                           Function<Message<?>, Iterable<Tag>> latencyTags) {
        List<MessageMonitor<? super EventMessage<?>>> monitors = List.of(
                MessageTimerMonitor.buildMonitor(prefix, getRegistry(), tags),
                EventProcessorLatencyMonitor.buildMonitor(prefix, getRegistry(), latencyTags),
                MessageCountingMonitor.buildMonitor(prefix, getRegistry(), tags));
        return new MultiMessageMonitor<>(monitors);
    }

    private MessageMonitor<Message<?>> handler(String prefix, Function<Message<?>, Iterable<Tag>> tags) {
        return new MultiMessageMonitor<>(List.of(
                MessageTimerMonitor.buildMonitor(prefix, getRegistry(), tags),
                MessageCountingMonitor.buildMonitor(prefix, getRegistry(), tags)));
    }
}
