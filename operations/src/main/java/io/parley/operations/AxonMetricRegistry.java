package io.parley.operations;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.messaging.Message;
import org.axonframework.micrometer.GlobalMetricRegistry;
import org.axonframework.micrometer.TagsUtil;
import org.axonframework.monitoring.MessageMonitor;
import org.axonframework.monitoring.MultiMessageMonitor;
import org.axonframework.queryhandling.QueryBus;
import org.axonframework.queryhandling.QueryUpdateEmitter;

import java.util.List;
import java.util.function.Function;

/**
 * Axon's meters as axon-micrometer's {@link GlobalMetricRegistry} registers them, with the same names and tags
 * ({@code AxonMetricRegistryTest} compares the two), at a fraction of their cost per message, and without the
 * capacity gauges ({@code commandBus.capacity}, {@code queryBus.capacity}, {@code eventProcessor.capacity}).
 * <ul>
 *   <li>Counters and timers: {@link PayloadTypeMeters}, registered once per payload type, where axon-micrometer
 *   looks every meter up again for every message.</li>
 *   <li>The processors' latency gauge: {@link ProcessorLatency}, registered once per processor.</li>
 *   <li>No {@code CapacityMonitor}: it keeps every message's handling time for ten minutes, one
 *   {@code ConcurrentSkipListMap} entry (~85 bytes with its two {@code Long}s and its share of the index) per message
 *   in every component it monitors, and sums them all at each scrape. Parley monitors the command bus and four
 *   processors, so at 3,000 messages/s that is 15,000 entries a second and ~9 million held after ten minutes (about
 *   760 MB of a 2 GB heap), each copied out of the young generation before it dies. The same figure, the share of
 *   time a component is busy, is {@code rate(…_allTimer_seconds_sum[10m])} over the timers kept here.</li>
 * </ul>
 * Measured in docs/benchmark.md (issue 17, twenty-second stop). Used by Axon's Spring Boot auto-configuration in place
 * of its own registry ({@link AxonMetricsAutoConfiguration}), for both {@code axon.metrics.micrometer.dimensional}
 * settings.
 */
public class AxonMetricRegistry extends GlobalMetricRegistry {

    private static final String EVENT_PROCESSOR = "eventProcessor";
    private static final Function<Message<?>, Iterable<Tag>> NO_TAGS = message -> Tags.empty();

    public AxonMetricRegistry(MeterRegistry registry) {
        super(registry);
    }

    @Override
    public MessageMonitor<? extends Message<?>> registerComponent(Class<?> componentType, String componentName) {
        if (EventProcessor.class.isAssignableFrom(componentType)) {
            return eventProcessor(meters(componentName, NO_TAGS, NO_TAGS), componentName, Tags.empty());
        }
        if (monitored(componentType)) {
            return meters(componentName, NO_TAGS, NO_TAGS);
        }
        return super.registerComponent(componentType, componentName);
    }

    @Override
    public MessageMonitor<? extends Message<?>> registerComponentWithDefaultTags(Class<?> componentType,
                                                                                 String componentName) {
        if (EventProcessor.class.isAssignableFrom(componentType)) {
            Tags processor = Tags.of(TagsUtil.PROCESSOR_NAME_TAG, componentName);
            Function<Message<?>, Iterable<Tag>> byPayloadType =
                    message -> processor.and(TagsUtil.PAYLOAD_TYPE_TAG, message.getPayloadType().getSimpleName());
            return eventProcessor(meters(EVENT_PROCESSOR, byPayloadType, byPayloadType), EVENT_PROCESSOR, processor);
        }
        if (EventBus.class.isAssignableFrom(componentType)) { // Axon counts its events without tags
            return meters(componentName, NO_TAGS, TagsUtil.PAYLOAD_TYPE_TAGGER_FUNCTION);
        }
        if (monitored(componentType)) {
            return meters(componentName, TagsUtil.PAYLOAD_TYPE_TAGGER_FUNCTION, TagsUtil.PAYLOAD_TYPE_TAGGER_FUNCTION);
        }
        return super.registerComponentWithDefaultTags(componentType, componentName);
    }

    private static boolean monitored(Class<?> componentType) {
        return CommandBus.class.isAssignableFrom(componentType) || EventBus.class.isAssignableFrom(componentType)
                || QueryBus.class.isAssignableFrom(componentType)
                || QueryUpdateEmitter.class.isAssignableFrom(componentType);
    }

    private PayloadTypeMeters meters(String prefix, Function<Message<?>, Iterable<Tag>> counterTags,
                                     Function<Message<?>, Iterable<Tag>> timerTags) {
        return new PayloadTypeMeters(getRegistry(), prefix, counterTags, timerTags);
    }

    /** The latency gauge is one per processor, whatever the payload, as Axon registers it. */
    private MessageMonitor<EventMessage<?>> eventProcessor(PayloadTypeMeters meters, String prefix,
                                                           Iterable<Tag> latencyTags) {
        List<MessageMonitor<? super EventMessage<?>>> monitors =
                List.of(meters, new ProcessorLatency(getRegistry(), prefix, latencyTags));
        return new MultiMessageMonitor<>(monitors);
    }
}
