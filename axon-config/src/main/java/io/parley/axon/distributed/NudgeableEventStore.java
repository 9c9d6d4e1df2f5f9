package io.parley.axon.distributed;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;

import java.util.List;
import java.util.function.Consumer;

/**
 * Axon's {@link EmbeddedEventStore} that other processes can wake. In one JVM a commit wakes the store's reader at
 * once ({@code afterCommit}); across processes the reader only polls ({@code fetchDelay}). This subclass tells
 * {@code onCommit} (a Redis publish, see {@link RedisEventNudge}) after each local commit, and {@link #nudge()} wakes
 * the reader when another process committed, so tracking processors and live delivery see the events within
 * milliseconds while the poll stays a slow fallback.
 */
public class NudgeableEventStore extends EmbeddedEventStore {

    private volatile Consumer<List<? extends EventMessage<?>>> onCommit = events -> {
    };

    public NudgeableEventStore(Builder builder) {
        super(builder);
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
}
