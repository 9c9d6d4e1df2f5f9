package io.parley.push.socket;

import io.parley.api.wire.CloseCodes;
import io.parley.push.auth.AuthenticatedUser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open socket of one user. Frames reach it as ready-made JSON text through a bounded queue of its own, so a slow
 * reader never holds up delivery to anybody else; when its queue is full it is closed as a slow consumer.
 * <p>
 * Message frames pass a per-conversation high-water mark: a {@code seq} at or below it was already sent on this
 * socket and is dropped (no duplicates after a sync), and while a sync runs live messages are held back and
 * released after it, so the client sees each conversation in {@code seq} order. A socket opened with
 * {@code ?resume=true} holds live messages the same way until its first frame (or a short grace period): its client
 * said its first frame will be a {@code sync}, and live messages sent before it would otherwise arrive ahead of the
 * history they follow. Any other socket gets live messages at once.
 */
final class Connection {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    /** How long a release of held messages waits for a client that reads nothing before calling it slow. */
    private static final java.time.Duration RELEASE_PATIENCE = java.time.Duration.ofSeconds(30);

    private record Held(String conversationId, long seq, String json) {
    }

    /** How a connection's socket is closed: with a close code and a reason for the client. */
    interface Closer {
        void close(int code, String reason);
    }

    final String id;
    final String userId;
    /** Who opened the socket, with the session it belongs to: when that session ends, the socket is closed. */
    final AuthenticatedUser user;
    private final Sinks.Many<String> outbound;
    private final int capacity;

    /** Frames queued for this socket and not yet taken by its writer. */
    int queued() {
        return queued.get();
    }
    /** Frames queued and not yet taken by the socket writer; the queue grows in small chunks up to capacity. */
    private final AtomicInteger queued = new AtomicInteger();
    private final Closer closer;
    private final Map<String, Long> highWater = new HashMap<>();
    private java.util.ArrayDeque<Held> held;
    private boolean awaitingFirstFrame;
    private boolean closed;
    private volatile long lastHeard = System.nanoTime();
    /** Frames taken from the client and not yet answered (their handling has not completed). */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The node is shutting down: frames arriving from now on are not taken (the client resends after reconnecting). */
    private volatile boolean draining;

    /**
     * @param holdUntilSync whether live messages wait for the client's first frame (its {@code sync}), see above
     */
    Connection(String id, AuthenticatedUser user, int bufferSize, boolean holdUntilSync, Closer closer) {
        this.id = id;
        this.user = user;
        this.userId = user.userId();
        this.closer = closer;
        this.capacity = bufferSize;
        // a linked queue that grows in chunks of 16: an idle socket costs almost nothing; the bound is `capacity`
        this.outbound = Sinks.many().unicast().onBackpressureBuffer(Queues.<String>unbounded(16).get());
        if (holdUntilSync) {
            this.held = new java.util.ArrayDeque<>();
            this.awaitingFirstFrame = true;
        }
    }

    /** The client's first frame arrived: unless it is a sync (which releases later), live messages flow now. */
    void firstFrame(boolean isSync) {
        boolean release;
        synchronized (this) {
            release = awaitingFirstFrame && !isSync;
            awaitingFirstFrame = false;
        }
        if (release) {
            // draining may wait for the client to read: never on the caller's (event loop or timer) thread
            Schedulers.boundedElastic().schedule(() -> release(null));
        }
    }

    /** The client said nothing within the grace period: it only listens, so live messages flow now. */
    void graceExpired() {
        firstFrame(false);
    }

    /**
     * Waits (on a worker thread) until the client has taken frames and there is room for more, so that a sync or a
     * release of held messages larger than the buffer paces itself by the client instead of overflowing it.
     *
     * @return false when the connection closed or the client read nothing for {@code patience}
     */
    boolean awaitRoom(java.time.Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        int lastQueued = queued.get();
        while (queued.get() > capacity / 2) {
            if (isClosed()) {
                return false;
            }
            if (queued.get() < lastQueued) {
                lastQueued = queued.get();
                deadline = System.nanoTime() + patience.toNanos();
            } else if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * A frame arrived: whether it is taken. Once the node drains, none is; those taken before are counted until
     * {@link #frameDone()}.
     */
    boolean take() {
        if (draining) {
            return false;
        }
        inFlight.incrementAndGet();
        return true;
    }

    /** A frame taken by {@link #take()} has been answered (its reply queued) or failed. */
    void frameDone() {
        inFlight.decrementAndGet();
    }

    /** Stops taking frames from the client; see {@link #isIdle()}. */
    void drain() {
        draining = true;
    }

    /** Whether every frame taken has been answered and every queued frame handed to the socket. */
    boolean isIdle() {
        return inFlight.get() <= 0 && queued.get() <= 0;
    }

    /** Any frame from the client, pongs included, is a sign of life. */
    void heard() {
        lastHeard = System.nanoTime();
    }

    java.time.Duration silentFor() {
        return java.time.Duration.ofNanos(System.nanoTime() - lastHeard);
    }

    synchronized boolean isClosed() {
        return closed;
    }

    Flux<String> frames() {
        return outbound.asFlux().doOnNext(frame -> queued.decrementAndGet());
    }

    /** Any frame but a message: replies, receipts, presence, typing. */
    synchronized void send(String json) {
        emit(json);
    }

    /** A message frame; dropped if this socket already had {@code seq} of the conversation. */
    synchronized void sendMessage(String conversationId, long seq, String json) {
        if (held != null) {
            held.add(new Held(conversationId, seq, json));
            return;
        }
        deliverNow(conversationId, seq, json);
    }

    /** Starts a sync: live messages are held until {@link #endSync()}. */
    synchronized void beginSync() {
        if (held == null) {
            held = new java.util.ArrayDeque<>();
        }
    }

    /** The sync told the client everything up to {@code seq} of the conversation. */
    synchronized void syncedUpTo(String conversationId, long seq, String json) {
        deliverNow(conversationId, seq, json);
    }

    /**
     * The client has the conversation up to {@code seq} and nothing after it, whatever this socket sent before: what
     * follows is sent (again), older live frames are not.
     */
    synchronized void resumeFrom(String conversationId, long seq) {
        highWater.put(conversationId, seq);
    }

    /** Ends a sync with its last frame ({@code synced} or an error), then releases the held messages. */
    void endSync(String syncedJson) {
        release(syncedJson);
    }

    /**
     * Sends {@code first}, then the held live messages in arrival order (which is seq order per conversation), as
     * fast as the client reads. New live messages keep joining the end of the held list until it is empty.
     */
    private void release(String first) {
        if (first != null) {
            send(first);
        }
        while (true) {
            synchronized (this) {
                if (held == null) {
                    return;
                }
                if (closed) {
                    held = null;
                    return;
                }
                while (!held.isEmpty() && queued.get() < capacity) {
                    Held next = held.poll();
                    deliverNow(next.conversationId(), next.seq(), next.json());
                }
                if (held.isEmpty()) {
                    held = null;
                    return;
                }
            }
            if (!awaitRoom(RELEASE_PATIENCE)) {
                synchronized (this) {
                    held = null;
                    if (!closed) {
                        overflow();
                    }
                }
                return;
            }
        }
    }

    private void deliverNow(String conversationId, long seq, String json) {
        if (seq > highWater.getOrDefault(conversationId, 0L)) {
            highWater.put(conversationId, seq);
            emit(json);
        }
    }

    synchronized void complete() {
        closed = true;
        outbound.tryEmitComplete();
    }

    private void overflow() {
        closed = true;
        log.info("connection {} of user {} is not reading; closing it as a slow consumer", id, userId);
        closer.close(CloseCodes.SLOW_CONSUMER, "slow consumer: reconnect and sync");
    }

    /** Closes the socket: nothing more is queued for it. */
    void end(int code, String reason) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closer.close(code, reason);
    }

    private void emit(String json) {
        if (closed) {
            return;
        }
        if (queued.get() >= capacity) {
            overflow();
            return;
        }
        queued.incrementAndGet();
        Sinks.EmitResult result = outbound.tryEmitNext(json);
        if (result.isFailure()) {
            queued.decrementAndGet();
        }
        if (result == Sinks.EmitResult.FAIL_OVERFLOW) {
            overflow();
        } else if (result.isFailure() && result != Sinks.EmitResult.FAIL_TERMINATED
                && result != Sinks.EmitResult.FAIL_CANCELLED) {
            log.warn("could not queue a frame for connection {}: {}", id, result);
        }
    }
}
