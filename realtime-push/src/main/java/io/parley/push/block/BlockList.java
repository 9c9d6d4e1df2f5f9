package io.parley.push.block;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.error.NotFoundException;
import io.parley.api.user.UserCommands.BlockUser;
import io.parley.api.user.UserCommands.UnblockUser;
import io.parley.api.user.UserQueries.BlockedUser;
import io.parley.api.user.UserQueries.BlockedUsersQuery;
import io.parley.api.user.UserQueries.FindUserQuery;
import io.parley.api.user.UserQueries.UserView;
import io.parley.push.Backend;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blocking at the edge, one door for REST and the socket: block, unblock, the list, and the question the other
 * features ask ({@link #hasBlocked}). The User aggregate decides and keeps the list; the read model answers it.
 * <p>
 * This node keeps each asked-about user's list in a cache (at most {@value #CACHED_USERS} users, each entry
 * refreshed from the read model after {@link #REFRESH}), loaded with the read model's read-your-writes barrier and
 * kept current by the event stream ({@link #applied}: every node's fan-out reads every {@code UserBlocked} and
 * {@code UserUnblocked}), and by the blocker's own acknowledged command on this node. A block therefore takes effect
 * on every node as soon as the node's event stream reads it — the same path, and the same milliseconds, as a live
 * message.
 */
@Service
public class BlockList {

    static final int CACHED_USERS = 100_000;
    static final Duration REFRESH = Duration.ofMinutes(10);

    private final Backend backend;
    private final LoadingCache<String, Set<String>> blockedBy;

    BlockList(Backend backend) {
        this.backend = backend;
        this.blockedBy = Caffeine.newBuilder().maximumSize(CACHED_USERS).expireAfterWrite(REFRESH)
                .build(this::load);
    }

    /** Blocks {@code otherUserId}; answers when committed. Blocking someone blocked is a repeat. */
    public Mono<Void> block(String userId, String otherUserId) {
        return Mono.defer(() -> {
            if (otherUserId.equals(userId)) {
                throw new InvalidCommandException("you cannot block yourself");
            }
            return userExists(otherUserId).then(backend.send(new BlockUser(userId, otherUserId)))
                    .then(Mono.fromRunnable(() -> applied(userId, otherUserId, true)));
        });
    }

    /** Lifts the block; answers when committed. Unblocking someone not blocked is a repeat. */
    public Mono<Void> unblock(String userId, String otherUserId) {
        return backend.send(new UnblockUser(userId, otherUserId))
                .then(Mono.fromRunnable(() -> applied(userId, otherUserId, false)));
    }

    /** The users {@code userId} has blocked, oldest block first. */
    public Mono<List<BlockedUser>> list(String userId) {
        return backend.query(new BlockedUsersQuery(userId), ResponseTypes.multipleInstancesOf(BlockedUser.class));
    }

    /**
     * Whether {@code blockerId} has blocked {@code otherUserId}. May ask the read model (blocking): call it on a worker
     * thread ({@link Backend#workers()}), never on an event loop.
     */
    public boolean hasBlocked(String blockerId, String otherUserId) {
        return blockerId != null && otherUserId != null && blockedBy.get(blockerId).contains(otherUserId);
    }

    /** Whether this node knows {@code blockerId}'s list without asking (the fan-out never waits for the read model). */
    public boolean hasBlockedIfKnown(String blockerId, String otherUserId) {
        return hasBlockedIfCached(blockerId, otherUserId).orElse(false);
    }

    /**
     * Whether {@code blockerId} has blocked {@code otherUserId}, if this node holds {@code blockerId}'s list; empty when
     * answering would mean asking the read model. Never blocks: for event loops.
     */
    public Optional<Boolean> hasBlockedIfCached(String blockerId, String otherUserId) {
        Set<String> known = blockedBy.getIfPresent(blockerId);
        return known == null ? Optional.empty() : Optional.of(known.contains(otherUserId));
    }

    /** A block or unblock read from the event stream (or acknowledged here): the cached list follows it. */
    public void applied(String blockerId, String otherUserId, boolean blocked) {
        Set<String> known = blockedBy.getIfPresent(blockerId);
        if (known != null) {
            if (blocked) {
                known.add(otherUserId);
            } else {
                known.remove(otherUserId);
            }
        }
    }

    private Set<String> load(String userId) {
        Set<String> set = ConcurrentHashMap.newKeySet();
        List<BlockedUser> blocked = backend.queryNow(new BlockedUsersQuery(userId),
                ResponseTypes.multipleInstancesOf(BlockedUser.class));
        blocked.forEach(b -> set.add(b.userId()));
        return set;
    }

    private Mono<Void> userExists(String userId) {
        return backend.query(new FindUserQuery(userId), ResponseTypes.optionalInstanceOf(UserView.class))
                .filter(Optional::isPresent)
                .switchIfEmpty(Mono.error(new NotFoundException("no such user")))
                .then();
    }
}
