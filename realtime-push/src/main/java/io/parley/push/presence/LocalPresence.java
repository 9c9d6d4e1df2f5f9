package io.parley.push.presence;

import io.parley.api.wire.ServerFrames;
import io.parley.push.Backend;
import io.parley.push.socket.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Presence and typing for a single push node, in memory. A user is online while this node holds a socket of theirs;
 * presence frames go to everyone who shares a conversation with them, coalesced per recipient ({@link PresenceBatcher}); typing frames to the other members, at most one
 * per user and conversation per {@link Audiences#TYPING_THROTTLE}. With several push nodes, {@code parley.presence=redis}
 * replaces it ({@link RedisPresence}).
 */
@Component
@ConditionalOnProperty(name = "parley.presence", havingValue = "local", matchIfMissing = true)
class LocalPresence implements PresenceService, PresenceDirectory {

    private static final Logger log = LoggerFactory.getLogger(LocalPresence.class);

    private final Set<String> online = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> lastSeen = new ConcurrentHashMap<>();
    private final Backend backend;
    private final Audiences audiences;
    private final Outbox outbox;
    private final LastSeenStore store;
    private final PresenceBatcher batcher;
    private final Clock clock = Clock.systemUTC();

    LocalPresence(Backend backend, Audiences audiences, Outbox outbox, LastSeenStore store, PresenceBatcher batcher) {
        this.batcher = batcher;
        this.backend = backend;
        this.audiences = audiences;
        this.outbox = outbox;
        this.store = store;
    }

    @Override
    public void connected(String userId) {
        online.add(userId);
        announce(userId, true, null);
    }

    @Override
    public void disconnected(String userId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        online.remove(userId);
        lastSeen.put(userId, now);
        announce(userId, false, now);
        Mono.fromRunnable(() -> store.record(userId, now)).subscribeOn(backend.workers())
                .subscribe(null, error -> log.warn("could not record when {} was last seen", userId, error));
    }

    @Override
    public void typing(String userId, String conversationId) {
        ServerFrames.Typing frame = ServerFrames.Typing.of(conversationId, userId);
        audiences.typingRecipients(userId, conversationId).forEach(member -> outbox.toUser(member, frame));
    }

    @Override
    public boolean isOnline(String userId) {
        return online.contains(userId);
    }

    @Override
    public Optional<Instant> lastSeen(String userId) {
        if (isOnline(userId)) {
            return Optional.of(clock.instant().truncatedTo(ChronoUnit.MILLIS));
        }
        Instant known = lastSeen.get(userId);
        return known != null ? Optional.of(known) : store.find(userId);
    }

    private void announce(String userId, boolean isOnline, Instant seen) {
        ServerFrames.Presence frame = ServerFrames.Presence.of(userId, isOnline, seen);
        audiences.contactsOf(userId).subscribe(contacts -> contacts.forEach(contact -> batcher.tell(contact, frame)),
                error -> log.warn("could not announce presence of {}", userId, error));
    }
}
