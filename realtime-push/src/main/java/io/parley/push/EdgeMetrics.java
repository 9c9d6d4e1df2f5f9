package io.parley.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.push.limits.RateLimits;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The edge's meters (README, "Health and metrics"), registered once at start so that the hot path only increments a
 * counter or records into a timer: no lookup by name, no tags built per message. Timers publish a histogram (for
 * {@code histogram_quantile} across nodes) and no client-side percentiles. Counts carry no unit in their names
 * (Prometheus's convention: units only for base units such as seconds and bytes).
 */
@Component
public class EdgeMetrics {

    private final MeterRegistry registry;
    private final Counter sent;
    private final Counter delivered;
    private final Timer sendToAck;
    private final Timer commitToSocket;
    private final Counter slowConsumerCloses;
    private final Map<RateLimits.Kind, Counter> refusals = new EnumMap<>(RateLimits.Kind.class);

    @Autowired
    EdgeMetrics(ObjectProvider<MeterRegistry> registry) {
        this(registry.getIfAvailable(SimpleMeterRegistry::new));
    }

    public EdgeMetrics(MeterRegistry registry) {
        this.registry = registry;
        sent = Counter.builder("parley.messages.sent")
                .description("Messages stored and acknowledged to their sender (socket and HTTP)").register(registry);
        delivered = Counter.builder("parley.messages.delivered")
                .description("Message frames handed to open sockets by live fan-out (one per receiving socket)").register(registry);
        sendToAck = Timer.builder("parley.send.ack")
                .description("From a send frame read off the socket to its ack queued to the sender")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        commitToSocket = Timer.builder("parley.delivery.latency")
                .description("From a message's commit (its event's timestamp) to its frame queued to the receiving"
                        + " sockets of this node")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        slowConsumerCloses = Counter.builder("parley.sockets.slow.closed")
                .description("Sockets closed because their client read too slowly (outbound queue full)").register(registry);
        for (RateLimits.Kind kind : RateLimits.Kind.values()) {
            refusals.put(kind, Counter.builder("parley.rate.limited")
                    .description("Requests refused by a rate limit, by kind (send, frame, typing, http)")
                    .tag("kind", kind.name().toLowerCase(Locale.ROOT)).register(registry));
        }
    }

    /** The registry, for meters that a component registers over its own state (gauges). */
    public MeterRegistry registry() {
        return registry;
    }

    public void messageSent() {
        sent.increment();
    }

    /** A message's frame handed to {@code sockets} open sockets. */
    public void messagesDelivered(int sockets) {
        delivered.increment(sockets);
    }

    /** A send answered with its ack, {@code startNanos} being {@link System#nanoTime()} when its frame was read. */
    public void acked(long startNanos) {
        sendToAck.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    /** A message whose frame reached the sockets {@code millis} after its commit. */
    public void deliveredAfter(long millis) {
        commitToSocket.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    public void slowConsumerClosed() {
        slowConsumerCloses.increment();
    }

    public void refused(RateLimits.Kind kind) {
        refusals.get(kind).increment();
    }
}
