package io.parley.push.socket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One open socket of one user. Frames reach it as ready-made JSON text through a bounded queue of its own, so a slow
 * reader never holds up delivery to anybody else; when its queue is full it is closed as a slow consumer.
 * <p>
 * Message frames pass a per-conversation high-water mark: a {@code seq} at or below it was already sent on this
 * socket and is dropped (no duplicates after a sync), and while a sync runs live messages are held back and
 * released after it, so the client sees each conversation in {@code seq} order. A new socket holds live messages
 * the same way until its first frame (or a short grace period): a reconnecting client's first frame is its
 * {@code sync}, and live messages sent before it would otherwise arrive ahead of the history they follow.
 */
final class Connection {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private record Held(String conversationId, long seq, String json) {
    }

    final String id;
    final String userId;
    private final Sinks.Many<String> outbound;
    private final Consumer<Connection> onOverflow;
    private final Map<String, Long> highWater = new HashMap<>();
    private List<Held> held = new ArrayList<>();
    private boolean awaitingFirstFrame = true;
    private boolean closed;
    private volatile long lastHeard = System.nanoTime();

    Connection(String id, String userId, int bufferSize, Consumer<Connection> onOverflow) {
        this.id = id;
        this.userId = userId;
        this.onOverflow = onOverflow;
        this.outbound = Sinks.many().unicast().onBackpressureBuffer(Queues.<String>get(bufferSize).get());
    }

    /** The client's first frame arrived: unless it is a sync (which releases later), live messages flow now. */
    synchronized void firstFrame(boolean isSync) {
        if (awaitingFirstFrame) {
            awaitingFirstFrame = false;
            if (!isSync) {
                release(null);
            }
        }
    }

    /** The client said nothing within the grace period: it only listens, so live messages flow now. */
    synchronized void graceExpired() {
        firstFrame(false);
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
        return outbound.asFlux();
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
        if (seq <= highWater.getOrDefault(conversationId, 0L)) {
            return;
        }
        highWater.put(conversationId, seq);
        emit(json);
    }

    /** Starts a sync: live messages are held until {@link #endSync()}. */
    synchronized void beginSync() {
        if (held == null) {
            held = new ArrayList<>();
        }
    }

    /** The sync told the client everything up to {@code seq} of the conversation. */
    synchronized void syncedUpTo(String conversationId, long seq, String json) {
        if (seq > highWater.getOrDefault(conversationId, 0L)) {
            highWater.put(conversationId, seq);
            emit(json);
        }
    }

    /** Marks what the client said it has, so older live frames are not sent again. */
    synchronized void clientHas(String conversationId, long seq) {
        highWater.merge(conversationId, seq, Math::max);
    }

    synchronized void endSync(String syncedJson) {
        release(syncedJson);
    }

    private void release(String first) {
        List<Held> release = held == null ? List.of() : held;
        held = null;
        if (first != null) {
            emit(first);
        }
        release.stream()
                .sorted(Comparator.comparing(Held::conversationId).thenComparingLong(Held::seq))
                .forEach(h -> sendMessage(h.conversationId(), h.seq(), h.json()));
    }

    synchronized void complete() {
        closed = true;
        outbound.tryEmitComplete();
    }

    private void emit(String json) {
        if (closed) {
            return;
        }
        Sinks.EmitResult result = outbound.tryEmitNext(json);
        if (result == Sinks.EmitResult.FAIL_OVERFLOW) {
            closed = true;
            log.info("connection {} of user {} is not reading; closing it as a slow consumer", id, userId);
            onOverflow.accept(this);
        } else if (result.isFailure() && result != Sinks.EmitResult.FAIL_TERMINATED
                && result != Sinks.EmitResult.FAIL_CANCELLED) {
            log.warn("could not queue a frame for connection {}: {}", id, result);
        }
    }
}
