package io.parley.push.socket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The live fan-out's events of conversations whose members are being loaded: each conversation's wait behind its own
 * load, in stream order, on a loader thread, while the stream's thread goes on with the others.
 * <p>
 * Bounded: a load that has not started within {@code maxAge} of its first event is not tried (the read model is that
 * far behind; it would only wait out its own time limit too), at most {@code maxEvents} wait in all, and the events of
 * a load that fails or is not tried are dropped (logged; clients get them on {@code sync}, as for any gap of live
 * delivery).
 *
 * @param <E> an event of the stream
 */
final class WaitingEvents<E> {

    /** Loads what the events of a conversation need. */
    interface Load<E> {
        /** @return whether it is loaded now; false, or an exception, drops the events waiting for it */
        boolean load(String conversationId, E first);
    }

    private static final Logger log = LoggerFactory.getLogger(WaitingEvents.class);

    private final Load<E> load;
    private final Consumer<E> deliver;
    private final int maxEvents;
    private final long maxAgeNanos;
    private final ExecutorService loaders;
    /** Guarded by itself, as is {@link #waitingEvents}. */
    private final Map<String, Waiting<E>> waiting = new HashMap<>();
    private int waitingEvents;

    private static final class Waiting<E> {
        final long since = System.nanoTime();
        final Queue<E> events = new ArrayDeque<>();
        boolean overflowLogged;
    }

    /**
     * @param loaders   threads that load at once
     * @param maxEvents the most events waiting in all
     * @param maxAge    how long after its first event a load is still started
     */
    WaitingEvents(Load<E> load, Consumer<E> deliver, int loaders, int maxEvents, Duration maxAge) {
        this.load = load;
        this.deliver = deliver;
        this.maxEvents = maxEvents;
        this.maxAgeNanos = maxAge.toNanos();
        AtomicInteger threads = new AtomicInteger();
        this.loaders = Executors.newFixedThreadPool(loaders, runnable -> {
            Thread thread = new Thread(runnable, "parley-fanout-members-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Delivers the event on the calling thread if its conversation's members are {@code known} and none of its
     * earlier events wait; otherwise it waits behind them, or behind a load of the members started here.
     */
    void submit(String conversationId, E event, BooleanSupplier known) {
        synchronized (waiting) {
            Waiting<E> queue = waiting.get(conversationId);
            if (queue != null || !known.getAsBoolean()) {
                hold(conversationId, queue, event);
                return;
            }
        }
        deliver.accept(event);
    }

    /** Called holding the lock. */
    private void hold(String conversationId, Waiting<E> queue, E event) {
        if (waitingEvents >= maxEvents) {
            if (queue == null || !queue.overflowLogged) {
                log.warn("{} live events wait for members already; those of {} that come now are not delivered live"
                        + " (clients get them on sync)", waitingEvents, conversationId);
            }
            if (queue != null) {
                queue.overflowLogged = true;
            }
            return;
        }
        if (queue == null) {
            Waiting<E> started = new Waiting<>();
            try {
                loaders.execute(() -> loadThenDeliver(conversationId, started, event));
            } catch (RejectedExecutionException e) {
                return; // stopped
            }
            waiting.put(conversationId, started);
            queue = started;
        }
        queue.events.add(event);
        waitingEvents++;
    }

    /** Lets the loaders go; what waits is not delivered. */
    void stop() {
        loaders.shutdownNow();
    }

    /** Events waiting now, in all. */
    int size() {
        synchronized (waiting) {
            return waitingEvents;
        }
    }

    /**
     * On a loader thread: loads for the conversation's first waiting event, then delivers its waiting events in order
     * until none is left. Whatever happens, the conversation stops waiting when this returns.
     */
    private void loadThenDeliver(String conversationId, Waiting<E> mine, E first) {
        boolean loaded = false;
        try {
            loaded = loadUnlessStale(conversationId, mine, first);
            while (loaded) {
                E next;
                synchronized (waiting) {
                    next = mine.events.poll();
                    if (next == null) {
                        waiting.remove(conversationId, mine); // in the same hold of the lock: nothing slips in
                        return;
                    }
                    waitingEvents--;
                }
                try {
                    deliver.accept(next);
                } catch (RuntimeException e) {
                    log.warn("a live event of {} could not be delivered", conversationId, e);
                }
            }
        } finally {
            synchronized (waiting) {
                if (waiting.remove(conversationId, mine)) {
                    waitingEvents -= mine.events.size();
                    if (!mine.events.isEmpty()) {
                        log.warn("{} live events of {} not delivered: its members could not be loaded in time"
                                + " (clients get them on sync)", mine.events.size(), conversationId);
                    }
                }
            }
        }
    }

    private boolean loadUnlessStale(String conversationId, Waiting<E> mine, E first) {
        if (System.nanoTime() - mine.since > maxAgeNanos) {
            return false;
        }
        try {
            return load.load(conversationId, first);
        } catch (RuntimeException e) {
            log.warn("members of {} could not be loaded for live delivery: {}", conversationId, e.toString());
            return false;
        }
    }
}
