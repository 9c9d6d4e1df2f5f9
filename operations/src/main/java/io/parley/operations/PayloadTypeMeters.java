package io.parley.operations;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import org.axonframework.messaging.Message;
import org.axonframework.monitoring.MessageMonitor;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The meters of axon-micrometer's {@code MessageCountingMonitor} and {@code MessageTimerMonitor} together, counted
 * and timed as they count and time, registered once per payload type instead of looked up for every message.
 * <p>
 * Meters, for a component named {@code prefix}: the counters {@code prefix.ingestedCounter} (every message),
 * {@code .successCounter}, {@code .failureCounter} (each also counted in {@code .processedCounter}) and
 * {@code .ignoredCounter}; the timers {@code prefix.allTimer} (every message, from ingestion to its report, in
 * nanoseconds) and {@code .successTimer}, {@code .failureTimer}, {@code .ignoredTimer}, each publishing the 50th, 75th,
 * 95th, 98th, 99th and 99.9th percentiles over a ten-minute window, as Axon's do.
 * <p>
 * axon-micrometer builds a meter id and looks each of those nine meters up in the registry for every message: with
 * the command bus, the event store and four processors, about 60 lookups for each message sent, a sixth of the bytes
 * the server allocated per message (issue 17, docs/benchmark.md, twenty-second stop). The tags must depend on the
 * payload type only (Axon's dimensional tags: {@code payloadType}, and {@code processorName} fixed per processor).
 */
final class PayloadTypeMeters implements MessageMonitor<Message<?>> {

    private final MeterRegistry registry;
    private final String prefix;
    private final Function<Message<?>, Iterable<Tag>> counterTags;
    private final Function<Message<?>, Iterable<Tag>> timerTags;
    private final Clock clock;
    private final Map<Class<?>, Meters> byPayloadType = new ConcurrentHashMap<>();

    PayloadTypeMeters(MeterRegistry registry, String prefix, Function<Message<?>, Iterable<Tag>> counterTags,
                      Function<Message<?>, Iterable<Tag>> timerTags) {
        this.registry = registry;
        this.prefix = prefix;
        this.counterTags = counterTags;
        this.timerTags = timerTags;
        this.clock = registry.config().clock();
    }

    @Override
    public MonitorCallback onMessageIngested(Message<?> message) {
        Meters meters = byPayloadType.get(message.getPayloadType());
        if (meters == null) {
            meters = byPayloadType.computeIfAbsent(message.getPayloadType(), type -> register(message));
        }
        meters.ingested.increment();
        return meters.callback(clock, clock.monotonicTime());
    }

    private Meters register(Message<?> message) {
        Iterable<Tag> counted = counterTags.apply(message);
        Iterable<Tag> timed = timerTags.apply(message);
        return new Meters(counter("ingestedCounter", counted), counter("successCounter", counted),
                counter("failureCounter", counted), counter("processedCounter", counted),
                counter("ignoredCounter", counted), timer("allTimer", timed), timer("successTimer", timed),
                timer("failureTimer", timed), timer("ignoredTimer", timed));
    }

    private Counter counter(String name, Iterable<Tag> tags) {
        return registry.counter(prefix + "." + name, tags);
    }

    private Timer timer(String name, Iterable<Tag> tags) {
        return Timer.builder(prefix + "." + name)
                .distributionStatisticExpiry(Duration.ofMinutes(10))
                .publishPercentiles(0.5, 0.75, 0.95, 0.98, 0.99, 0.999)
                .tags(tags)
                .register(registry);
    }

    private record Meters(Counter ingested, Counter success, Counter failure, Counter processed, Counter ignored,
                          Timer all, Timer succeeded, Timer failed, Timer ignoredTime) {

        MonitorCallback callback(Clock clock, long start) {
            return new MonitorCallback() {
                @Override
                public void reportSuccess() {
                    processed.increment();
                    success.increment();
                    time(succeeded);
                }

                @Override
                public void reportFailure(Throwable cause) {
                    processed.increment();
                    failure.increment();
                    time(failed);
                }

                @Override
                public void reportIgnored() {
                    ignored.increment();
                    time(ignoredTime);
                }

                private void time(Timer outcome) {
                    long duration = clock.monotonicTime() - start;
                    all.record(duration, TimeUnit.NANOSECONDS);
                    outcome.record(duration, TimeUnit.NANOSECONDS);
                }
            };
        }
    }
}
