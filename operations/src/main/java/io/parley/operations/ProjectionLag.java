package io.parley.operations;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.context.SmartLifecycle;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far each streaming processor (projection) of this process is behind the head of the event store, in events:
 * the {@code projections} contributor of readiness (OUT_OF_SERVICE beyond {@code parley.operations.max-projection-lag})
 * and the gauges {@code parley.projection.lag} and {@code parley.projection.position} tagged by processor.
 * <p>
 * A processor's position is the lowest of its segments' positions on this node. A processor that was stopped keeps the
 * last position seen, so its lag grows as events arrive: a projection that stands still is a projection that falls
 * behind. A running processor that holds no segment here (another node of the query side claimed them all) is not
 * this node's to report.
 */
class ProjectionLag extends AbstractHealthIndicator implements SmartLifecycle {

    private final EventProcessingConfiguration processing;
    private final EventStore eventStore;
    private final MeterRegistry registry;
    private final long maxLag;
    private final Map<String, Long> lastPositions = new ConcurrentHashMap<>();
    private volatile boolean running;

    ProjectionLag(EventProcessingConfiguration processing, EventStore eventStore, MeterRegistry registry, long maxLag) {
        super("the projections' positions cannot be read");
        this.processing = processing;
        this.eventStore = eventStore;
        this.registry = registry;
        this.maxLag = maxLag;
    }

    /** The gauges, once the processors are registered (they are, when Axon's configuration has started). */
    @Override
    public void start() {
        processors().forEach((name, processor) -> {
            Gauge.builder("parley.projection.lag", this, lag -> lag.lag(name))
                    .tag("processor", name)
                    .description("Events committed to the event store that this processor has not handled yet")
                    .register(registry);
            Gauge.builder("parley.projection.position", this, lag -> lag.position(name).orElse(-1))
                    .tag("processor", name)
                    .description("The global position in the event store up to which this processor has handled")
                    .register(registry);
        });
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After Axon's own lifecycle has started the processors. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 10;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        long head = head();
        Map<String, Object> lags = new LinkedHashMap<>();
        boolean behind = false;
        for (String name : processors().keySet()) {
            OptionalLong position = position(name);
            if (position.isEmpty()) {
                continue;
            }
            long lag = Math.max(0, head - position.getAsLong());
            lags.put(name, lag);
            behind |= lag > maxLag;
        }
        builder.status(behind ? Status.OUT_OF_SERVICE : Status.UP)
                .withDetail("maxLag", maxLag).withDetail("head", head).withDetail("lag", lags);
    }

    private double lag(String name) {
        OptionalLong position = position(name);
        return position.isEmpty() ? 0 : Math.max(0, head() - position.getAsLong());
    }

    private Map<String, StreamingEventProcessor> processors() {
        Map<String, StreamingEventProcessor> streaming = new LinkedHashMap<>();
        for (Map.Entry<String, EventProcessor> entry : processing.eventProcessors().entrySet()) {
            if (entry.getValue() instanceof StreamingEventProcessor processor) {
                streaming.put(entry.getKey(), processor);
            }
        }
        return streaming;
    }

    /** The position this node's part of the processor has reached; empty when none of it runs here. */
    OptionalLong position(String name) {
        StreamingEventProcessor processor = processors().get(name);
        if (processor == null) {
            return OptionalLong.empty();
        }
        if (processor.isRunning()) {
            Map<Integer, EventTrackerStatus> segments = processor.processingStatus();
            if (segments.isEmpty()) {
                return OptionalLong.empty();
            }
            long lowest = Long.MAX_VALUE;
            for (EventTrackerStatus status : segments.values()) {
                lowest = Math.min(lowest, status.getCurrentPosition().orElse(-1));
            }
            lastPositions.put(name, lowest);
            return OptionalLong.of(lowest);
        }
        Long last = lastPositions.get(name);
        return last == null ? OptionalLong.of(-1) : OptionalLong.of(last);
    }

    private long head() {
        TrackingToken head = eventStore.createHeadToken();
        return head == null ? -1 : head.position().orElse(-1);
    }
}
