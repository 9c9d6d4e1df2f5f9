package io.parley.push.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.api.error.NotFoundException;
import io.parley.api.error.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DataAccessException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.transaction.support.TransactionTemplate;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Whether a token's session is still on, and the three ways sessions end before their tokens expire: logging out
 * (that session), changing the password and erasing the user (every session of the user).
 * <p>
 * What ends sessions is kept in the database every push node shares: the user's token version in
 * {@code credentials} (a token carries the version it was issued at; raising it refuses every older token) and the
 * list of ended sessions ({@link SessionStore}). Each node reads a user's standing at most once per
 * {@code parley.auth.revocation-check-interval} (5 s) and keeps it in memory meanwhile, so the check costs a map
 * look-up per request. The node that ends a session forgets the user's standing at once; the others look for ended
 * sessions every interval. So a revoked token is refused at once on the node that revoked it and within one interval
 * on the others, and the sockets it opened are closed by the same rule ({@link Listener}).
 */
public final class SessionGuard implements AutoCloseable {

    /** Told when a user's sessions changed: ended here, or found ended by another node. */
    public interface Listener {
        void sessionsChanged(String userId);
    }

    /** What a client whose session ended is told: in the 401 answer, and as the reason of the socket's close. */
    public static final String ENDED = "session ended; log in again";

    /** The refusal of a token whose session has ended. */
    static final class SessionEnded extends InvalidBearerTokenException {
        SessionEnded() {
            super(ENDED);
        }
    }

    /** How far back a look at the feed reaches past the previous one: covers late commits and clock skew. */
    static final Duration FEED_OVERLAP = Duration.ofMinutes(1);
    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(SessionGuard.class);

    /** A user's standing as last read: the lowest token version accepted, and the sessions ended one by one. */
    record Standing(long version, Set<String> endedSessions) {
        boolean admits(AuthenticatedUser user) {
            return user.tokenVersion() >= version && !endedSessions.contains(user.sessionId());
        }
    }

    private final CredentialStore credentials;
    private final SessionStore store;
    private final TransactionTemplate transactions;
    private final ObjectProvider<Listener> listeners;
    private final Duration tokenTtl;
    private final Clock clock;
    private final Scheduler workers = Schedulers.boundedElastic();
    private final AsyncCache<String, Standing> standings;
    /** Feed rows already acted on (the feed is read with an overlap). */
    private final Cache<String, Boolean> seen;
    private final Scheduler feedThread = Schedulers.newSingle("parley-sessions", true);
    private final Disposable feed;
    private Instant lastLook;
    private Instant lastPurge = Instant.MIN;

    SessionGuard(CredentialStore credentials, SessionStore store, TransactionTemplate transactions,
                 ObjectProvider<Listener> listeners, AuthProperties properties, Clock clock) {
        this.credentials = credentials;
        this.store = store;
        this.transactions = transactions;
        this.listeners = listeners;
        this.tokenTtl = properties.tokenTtl();
        this.clock = clock;
        Duration interval = properties.revocationCheckInterval();
        this.standings = Caffeine.newBuilder()
                .expireAfterWrite(interval)
                .maximumSize(100_000)
                .executor(command -> workers.schedule(command))
                .buildAsync();
        this.seen = Caffeine.newBuilder().expireAfterWrite(FEED_OVERLAP.multipliedBy(2).plus(interval)).build();
        this.feed = feedThread.schedulePeriodically(this::lookForEndedSessions, interval.toMillis(),
                interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether {@code user}'s token still stands: its session was not ended and its version is current. */
    public Mono<Boolean> isCurrent(AuthenticatedUser user) {
        return Mono.fromFuture(() -> standings.get(user.userId(), (userId, executor) ->
                        CompletableFuture.supplyAsync(() -> load(userId), executor)), true)
                .map(standing -> standing.admits(user));
    }

    /** {@code user} if its session stands; else the refusal that the security chain answers with 401. */
    Mono<AuthenticatedUser> admit(AuthenticatedUser user) {
        return isCurrent(user).flatMap(current -> current ? Mono.just(user) : Mono.error(new SessionEnded()));
    }

    /** Uses up a socket ticket: the second use anywhere is refused. */
    Mono<Void> claimTicket(String ticketId, Instant expiresAt) {
        return Mono.fromCallable(() -> store.claimTicket(ticketId, expiresAt.plus(FEED_OVERLAP)))
                .subscribeOn(workers)
                .onErrorMap(DataAccessException.class, SessionGuard::unavailable)
                .flatMap(claimed -> claimed ? Mono.<Void>empty()
                        : Mono.error(new InvalidBearerTokenException("ticket already used")));
    }

    /** Logging out: {@code user}'s session ends; the user's other sessions go on. */
    Mono<Void> endSession(AuthenticatedUser user) {
        return change(user.userId(), () -> {
            Instant now = clock.instant();
            Instant expiry = user.expiresAt() != null ? user.expiresAt() : now.plus(tokenTtl);
            store.recordEnd(user.userId(), user.sessionId(), now, latest(expiry, now.plus(FEED_OVERLAP.multipliedBy(3))));
            return null;
        });
    }

    /** Every session of the user ends (an erasure). */
    public Mono<Void> endAllSessions(String userId) {
        return change(userId, () -> transactions.execute(status -> {
            credentials.raiseTokenVersion(userId);
            recordAllEnded(userId);
            return null;
        })).then();
    }

    /**
     * Stores a new password hash and ends every session of the user, in one transaction.
     *
     * @return the user's new token version, for the session that replaces the caller's
     */
    Mono<Long> changePassword(String userId, String hash) {
        return change(userId, () -> transactions.execute(status -> {
            long version = credentials.replacePassword(userId, hash)
                    .orElseThrow(() -> new NotFoundException("this user has no password here"));
            recordAllEnded(userId);
            return version;
        }));
    }

    private void recordAllEnded(String userId) {
        Instant now = clock.instant();
        store.recordEnd(userId, null, now, now.plus(FEED_OVERLAP.multipliedBy(3)));
    }

    /** Runs a write on a worker, then applies it here at once: the standing is read again, the sockets checked. */
    private <T> Mono<T> change(String userId, Callable<T> write) {
        return Mono.fromCallable(write)
                .subscribeOn(workers)
                .onErrorMap(DataAccessException.class, SessionGuard::unavailable)
                .doOnSuccess(done -> changed(userId));
    }

    private void changed(String userId) {
        standings.synchronous().invalidate(userId);
        listeners.orderedStream().forEach(listener -> {
            try {
                listener.sessionsChanged(userId);
            } catch (RuntimeException e) {
                log.warn("a listener failed on the sessions of {}", userId, e);
            }
        });
    }

    private Standing load(String userId) {
        try {
            return new Standing(credentials.tokenVersion(userId), store.endedSessions(userId, clock.instant()));
        } catch (DataAccessException e) {
            throw unavailable(e);
        }
    }

    /** The feed: sessions other nodes ended since the last look (and this node's own, harmlessly again). */
    private void lookForEndedSessions() {
        try {
            Instant now = clock.instant();
            Instant since = (lastLook == null ? now : lastLook).minus(FEED_OVERLAP);
            for (SessionStore.Ended ended : store.endedSince(since)) {
                if (seen.asMap().putIfAbsent(ended.id(), Boolean.TRUE) == null) {
                    changed(ended.userId());
                }
            }
            lastLook = now;
            if (lastPurge.plus(PURGE_EVERY).isBefore(now)) {
                store.purge(now);
                lastPurge = now;
            }
        } catch (RuntimeException e) {
            log.warn("could not read ended sessions; trying again in a moment: {}", e.toString());
        }
    }

    private static UnavailableException unavailable(DataAccessException cause) {
        log.warn("the session store cannot be read: {}", cause.toString());
        return new UnavailableException("sessions cannot be checked right now; try again");
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    @Override
    public void close() {
        feed.dispose();
        feedThread.dispose();
    }
}
