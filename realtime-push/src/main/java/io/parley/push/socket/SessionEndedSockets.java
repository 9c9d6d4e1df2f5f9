package io.parley.push.socket;

import io.parley.api.wire.CloseCodes;
import io.parley.push.auth.SessionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Closes the sockets whose session has ended (logged out, password changed, user erased) with
 * {@link CloseCodes#SESSION_ENDED}: told by the {@link SessionGuard} when a user's sessions changed, it checks each of
 * that user's sockets on this node against the user's standing as it is now.
 */
@Component
class SessionEndedSockets implements SessionGuard.Listener {

    private static final Logger log = LoggerFactory.getLogger(SessionEndedSockets.class);

    private final ConnectionRegistry registry;
    private final SessionGuard guard;

    SessionEndedSockets(ConnectionRegistry registry, SessionGuard guard) {
        this.registry = registry;
        this.guard = guard;
    }

    @Override
    public void sessionsChanged(String userId) {
        registry.of(userId).forEach(this::check);
    }

    /** Closes the connection if its session no longer stands. */
    void check(Connection connection) {
        guard.isCurrent(connection.user).subscribe(current -> {
            if (!current) {
                log.info("closing connection {} of user {}: its session ended", connection.id, connection.userId);
                connection.end(CloseCodes.SESSION_ENDED, SessionGuard.ENDED);
            }
        }, error -> log.warn("could not check the session of connection {}: {}", connection.id, error.toString()));
    }
}
