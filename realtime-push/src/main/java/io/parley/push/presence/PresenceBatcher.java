package io.parley.push.presence;

import io.parley.api.wire.ServerFrames;
import io.parley.push.socket.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Presence fan-out coalesced per recipient (issue 19): the first change for a recipient opens a window of
 * {@code parley.presence-batch-window} (250 ms by default); changes arriving meanwhile join it, the latest per user
 * wins, and at its end the recipient gets one frame: {@code presence} when one user changed (what every client knows),
 * {@code presence_batch} listing them when several did. A group of 1,000 coming online within seconds sent every
 * member one frame per other member (~500,000 frames); now each member gets about one frame per window.
 * <p>
 * A window of {@code 0} sends every change at once as a single {@code presence} frame (the behaviour before).
 * Used by both {@link PresenceService}s: locally after the audience is known, with Redis on the node holding the
 * recipient's sockets.
 */
@Component
class PresenceBatcher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(PresenceBatcher.class);

    private final Outbox outbox;
    private final long windowMillis;
    /** Recipient → the latest change per user not sent yet, in the order the users first changed. */
    private final Map<String, LinkedHashMap<String, ServerFrames.Presence>> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    PresenceBatcher(Outbox outbox, @Value("${parley.presence-batch-window:250ms}") Duration window) {
        if (window.isNegative()) {
            throw new IllegalArgumentException("parley.presence-batch-window must not be negative: " + window);
        }
        this.outbox = outbox;
        this.windowMillis = window.toMillis();
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "parley-presence-batch");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Tells {@code recipient} (its sockets on this node) of {@code change}, within the window. */
    void tell(String recipient, ServerFrames.Presence change) {
        if (!outbox.isConnectedHere(recipient)) {
            return;
        }
        if (windowMillis == 0) {
            outbox.toUser(recipient, change);
            return;
        }
        pending.compute(recipient, (key, changes) -> {
            if (changes == null) {
                changes = new LinkedHashMap<>();
                timer.schedule(() -> flush(key), windowMillis, TimeUnit.MILLISECONDS);
            }
            changes.put(change.userId(), change);
            return changes;
        });
    }

    private void flush(String recipient) {
        // removed atomically: a change arriving from now on opens the next window
        LinkedHashMap<String, ServerFrames.Presence> changes = pending.remove(recipient);
        if (changes == null || changes.isEmpty()) {
            return;
        }
        try {
            if (changes.size() == 1) {
                outbox.toUser(recipient, changes.values().iterator().next());
            } else {
                outbox.toUser(recipient, ServerFrames.PresenceBatch.of(
                        changes.values().stream().map(ServerFrames.PresenceEntry::of).toList()));
            }
        } catch (RuntimeException e) {
            log.warn("presence: could not tell {} of {} changes", recipient, changes.size(), e);
        }
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
