package io.parley.eventstore;

import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingEventStream;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Axon's {@link EmbeddedEventStore} (the JDBC event store) with two additions that keep readers within milliseconds of
 * a commit instead of a poll interval behind it.
 * <ul>
 * <li><b>Streams tell when events are available.</b> Axon's pooled streaming processors ask their stream for an
 * availability callback ({@link BlockingStream#setOnAvailableCallback}); the embedded store's streams offer none, and
 * then the processor's coordinator looks for new events only every 500 ms (Axon's {@code Coordinator}: "no availability
 * callback. Scheduling coordination task (itself) with delay of 500ms"). That poll was the ~450 ms by which every read
 * model trailed every write (issue 12). Here one watcher thread tails the store and runs the callbacks of every open
 * stream as soon as a new event can be read, so a commit reaches the projections at once.</li>
 * <li><b>Other processes can wake it.</b> In one JVM a commit wakes the store's reader ({@code afterCommit}); across
 * processes the reader only polls ({@code fetchDelay}). {@link #onCommit} tells another party (a Redis publish, see
 * {@code RedisEventNudge}) after each local commit, and {@link #nudge()} wakes the reader when another process
 * committed.</li>
 * </ul>
 * The callbacks run after the watcher has read the new event, that is after the store's shared reader holds it, so a
 * woken processor finds it; a callback that fires early only costs the processor one look. The watcher wakes them at
 * most once per {@code processorWakeDelay} (25 ms by default), and at once for the first commit after a quiet spell:
 * woken at every commit, each processor ran a batch, with its transaction, token update and commit, for every one or
 * two events under load; waiting 5 ms cut the four processors' CPU by a quarter at 1,000 msg/s, and 25 ms carried a
 * fifth more messages a second at the machine's limit (docs/benchmark.md, issue 17). The live fan-out to sockets does
 * not wait: it blocks on its own stream, which the store's reader wakes at once.
 */
public class ParleyEventStore extends EmbeddedEventStore {

    private static final Logger log = LoggerFactory.getLogger(ParleyEventStore.class);

    private final Set<Runnable> availabilityCallbacks = ConcurrentHashMap.newKeySet();
    private volatile Consumer<List<? extends EventMessage<?>>> onCommit = events -> {
    };
    private volatile Thread watcher;
    private volatile boolean shutDown;

    private final long processorWakeDelayMillis;

    /** A store that wakes the processors as soon as a new event can be read. */
    public ParleyEventStore(Builder builder) {
        this(builder, Duration.ZERO);
    }

    /**
     * @param processorWakeDelay the least time between two wake-ups of the processors
     *                           ({@code parley.event-nudge.processor-wake-delay}): under load the commits of that time
     *                           reach each processor in one batch instead of one batch each
     */
    public ParleyEventStore(Builder builder, Duration processorWakeDelay) {
        super(builder);
        this.processorWakeDelayMillis = processorWakeDelay.toMillis();
    }

    /** What to do after events were committed here (in addition to waking the local reader). */
    public void onCommit(Consumer<List<? extends EventMessage<?>>> action) {
        this.onCommit = action;
    }

    /** Another process committed events: read them now instead of at the next poll. */
    public void nudge() {
        super.afterCommit(List.of());
    }

    @Override
    protected void afterCommit(List<? extends EventMessage<?>> events) {
        super.afterCommit(events);
        onCommit.accept(events);
    }

    @Override
    public TrackingEventStream openStream(TrackingToken trackingToken) {
        return new CallbackStream(super.openStream(trackingToken));
    }

    @Override
    public void shutDown() {
        shutDown = true;
        Thread running = watcher;
        if (running != null) {
            running.interrupt();
        }
        super.shutDown();
    }

    private synchronized void startWatcherOnce() {
        if (watcher != null || shutDown) {
            return;
        }
        Thread thread = new Thread(this::watch, "parley-event-watcher");
        thread.setDaemon(true);
        watcher = thread;
        thread.start();
    }

    /**
     * Tails the store from its head; each time new events can be read, runs every stream's callback: at once when the
     * last wake-up is at least the wake delay ago, else when it will be, so that under load the processors are woken
     * at most once per delay and the commits of that time reach each in one batch.
     */
    private void watch() {
        long lastWake = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(processorWakeDelayMillis);
        while (!shutDown) {
            try (BlockingStream<TrackedEventMessage<?>> tail = super.openStream(createHeadToken())) {
                while (!shutDown) {
                    if (tail.hasNextAvailable(1, TimeUnit.SECONDS)) {
                        long wait = lastWake + TimeUnit.MILLISECONDS.toNanos(processorWakeDelayMillis)
                                - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait); // woken a moment ago: the next commits join this one
                        }
                        while (tail.hasNextAvailable()) {
                            tail.nextAvailable();
                        }
                        lastWake = System.nanoTime();
                        availabilityCallbacks.forEach(Runnable::run);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!shutDown) {
                    log.warn("event store watcher failed; reopening in a second (readers fall back to polling)", e);
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }

    /** A stream of the store that supports an availability callback; closing it forgets the callback. */
    private final class CallbackStream implements TrackingEventStream {

        private final TrackingEventStream delegate;
        private volatile Runnable callback;

        private CallbackStream(TrackingEventStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean setOnAvailableCallback(Runnable callback) {
            Runnable previous = this.callback;
            if (previous != null) {
                availabilityCallbacks.remove(previous);
            }
            this.callback = callback;
            availabilityCallbacks.add(callback);
            startWatcherOnce();
            return true;
        }

        @Override
        public Optional<TrackedEventMessage<?>> peek() {
            return delegate.peek();
        }

        @Override
        public boolean hasNextAvailable(int timeout, TimeUnit unit) throws InterruptedException {
            return delegate.hasNextAvailable(timeout, unit);
        }

        @Override
        public boolean hasNextAvailable() {
            return delegate.hasNextAvailable();
        }

        @Override
        public TrackedEventMessage<?> nextAvailable() throws InterruptedException {
            return delegate.nextAvailable();
        }

        @Override
        public void skipMessagesWithPayloadTypeOf(TrackedEventMessage<?> ignoredMessage) {
            delegate.skipMessagesWithPayloadTypeOf(ignoredMessage);
        }

        @Override
        public void close() {
            Runnable registered = callback;
            if (registered != null) {
                availabilityCallbacks.remove(registered);
            }
            delegate.close();
        }
    }
}
