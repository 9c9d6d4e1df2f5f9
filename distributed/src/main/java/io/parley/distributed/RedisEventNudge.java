package io.parley.distributed;

import io.parley.eventstore.ParleyEventStore;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * "Events were committed": a Redis pub/sub message that every Parley process sends after it commits events and
 * that wakes the {@link ParleyEventStore} of every other process. The message carries only the sender's id; the
 * events themselves are always read from the event store, so a lost nudge costs latency (the poll catches up), never
 * an event.
 * <p>
 * Publishes coalesce: while one PUBLISH is in flight, further commits mark it dirty and one more PUBLISH follows when
 * it completes, so a burst of commits costs a few messages, and the last commit is always followed by a nudge.
 */
public class RedisEventNudge implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RedisEventNudge.class);
    private static final int IDLE = 0;
    private static final int IN_FLIGHT = 1;
    private static final int DIRTY = 2;

    private final RedisClient client;
    private final ParleyEventStore eventStore;
    private final String channel;
    private final String origin = UUID.randomUUID().toString();
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private StatefulRedisConnection<String, String> publisher;
    private StatefulRedisPubSubConnection<String, String> subscriber;
    private volatile boolean running;

    public RedisEventNudge(RedisClient client, ParleyEventStore eventStore, String keyPrefix) {
        this.client = client;
        this.eventStore = eventStore;
        this.channel = keyPrefix + ":events:committed";
    }

    @Override
    public void start() {
        publisher = client.connect();
        subscriber = client.connectPubSub();
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String from, String message) {
                if (!origin.equals(message)) {
                    eventStore.nudge();
                }
            }
        });
        try {
            subscriber.async().subscribe(channel).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not subscribe to " + channel, e);
        }
        eventStore.onCommit(events -> publish());
        running = true;
        log.info("Event store nudges on Redis channel {}", channel);
    }

    /** Tells the other processes that events were committed here. Never blocks. */
    public void publish() {
        while (true) {
            int current = state.get();
            if (current == IDLE) {
                if (state.compareAndSet(IDLE, IN_FLIGHT)) {
                    send();
                    return;
                }
            } else if (current == IN_FLIGHT) {
                if (state.compareAndSet(IN_FLIGHT, DIRTY)) {
                    return;
                }
            } else {
                return;
            }
        }
    }

    private void send() {
        publisher.async().publish(channel, origin).whenComplete((receivers, failure) -> {
            if (failure != null) {
                log.debug("event nudge not published; the other processes will poll", failure);
            }
            if (!state.compareAndSet(IN_FLIGHT, IDLE)) {
                // commits happened while this one was in flight: one more nudge covers them all
                state.set(IN_FLIGHT);
                send();
            }
        });
    }

    @Override
    public void stop() {
        running = false;
        eventStore.onCommit(events -> {
        });
        if (subscriber != null) {
            subscriber.closeAsync();
        }
        if (publisher != null) {
            publisher.closeAsync();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before the processors and live delivery start reading, so the first commit after start wakes them. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }
}
