package io.parley.push.auth;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Ended sessions and used socket tickets, in the edge's database beside the credentials, which every push node
 * shares (tables migrated by {@link EdgeSchema}). Blocking JDBC: call from worker threads.
 * <p>
 * {@code ended_sessions} is both the revocation list (a row with a {@code session_id}: that login's tokens are
 * refused until {@code keep_until}, their expiry) and the feed by which nodes learn that a user's sessions changed
 * (every row, also the ones without a session id that a raised token version leaves: then the version in
 * {@code credentials} is what refuses the tokens, and the row lives only long enough to be seen).
 */
final class SessionStore {

    /** A row of the feed: a user whose sessions changed. */
    record Ended(String id, String userId) {
    }

    private final JdbcTemplate jdbc;

    SessionStore(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /**
     * Records that a user's sessions changed: one session ({@code sessionId}) ended, or all of them (null; the caller
     * raised the token version in the same transaction).
     *
     * @param keepUntil how long the row is needed: the ended session's expiry, or a little while for the feed
     */
    void recordEnd(String userId, String sessionId, Instant now, Instant keepUntil) {
        jdbc.update("INSERT INTO ended_sessions (id, user_id, session_id, ended_at, keep_until) VALUES (?, ?, ?, ?, ?)",
                UUID.randomUUID().toString(), userId, sessionId, Timestamp.from(now), Timestamp.from(keepUntil));
    }

    /** The ended sessions of a user whose tokens may still be presented. */
    Set<String> endedSessions(String userId, Instant now) {
        return new HashSet<>(jdbc.queryForList("SELECT session_id FROM ended_sessions WHERE user_id = ?"
                + " AND session_id IS NOT NULL AND keep_until > ?", String.class, userId, Timestamp.from(now)));
    }

    /** The feed: every change recorded at or after {@code since} (by the recording node's clock). */
    List<Ended> endedSince(Instant since) {
        return jdbc.query("SELECT id, user_id FROM ended_sessions WHERE ended_at >= ?",
                (rs, i) -> new Ended(rs.getString(1), rs.getString(2)), Timestamp.from(since));
    }

    /** Marks a ticket used; false when it was used before (on any node). */
    boolean claimTicket(String ticketId, Instant keepUntil) {
        try {
            jdbc.update("INSERT INTO used_socket_tickets (ticket_id, keep_until) VALUES (?, ?)", ticketId,
                    Timestamp.from(keepUntil));
            return true;
        } catch (DuplicateKeyException used) {
            return false;
        }
    }

    /** Forgets what is no longer needed: ended sessions whose tokens expired, tickets past their expiry. */
    void purge(Instant now) {
        jdbc.update("DELETE FROM ended_sessions WHERE keep_until < ?", Timestamp.from(now));
        jdbc.update("DELETE FROM used_socket_tickets WHERE keep_until < ?", Timestamp.from(now));
    }
}
