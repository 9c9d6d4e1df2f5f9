package io.parley.push.presence;

import java.time.Instant;
import java.util.Optional;

/**
 * What the edge knows about a user's presence, for {@code GET /api/users/{userId}}. Answers must be quick: they are
 * asked while answering an HTTP request (on a worker thread, never on the event loop).
 */
public interface PresenceDirectory {

    /** Whether the user has at least one open socket (on any node the implementation knows of). */
    boolean isOnline(String userId);

    /** When the user was last connected, if ever; empty while unknown. */
    Optional<Instant> lastSeen(String userId);
}
