package io.parley.notify.store;

import io.parley.notify.PushTarget;
import io.parley.notify.TargetKind;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Instant;
import java.util.List;

/**
 * The outbox of sends ({@code ntf_deliveries}): one row per notification and target, claimed by a sender for the
 * length of one attempt (so several notification processes can share the table), deleted once the target accepted
 * it, rescheduled with backoff after a failure, and kept with state {@code DEAD} (the dead-letter record, with the
 * reason) after the last attempt, until an operator retries it.
 */
public class DeliveryStore {

    /**
     * A send waiting. {@code payload} is the notification's JSON; {@code target} is null when the target was removed
     * meanwhile.
     */
    public record Delivery(String deliveryId, String targetId, String userId, String conversationId, String payload,
                           int attempts, PushTarget target) {
    }

    /** A dead-lettered send as an operator sees it (no payload: it may hold message text). */
    public record DeadLetter(String deliveryId, String targetId, String userId, String conversationId, int attempts,
                             String lastError, Instant createdAt, Instant deadAt) {
    }

    static final String PENDING = "PENDING";
    static final String DEAD = "DEAD";

    private final JdbcTemplate jdbc;

    public DeliveryStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void enqueue(String deliveryId, String targetId, String userId, String conversationId, String payload,
                        Instant now) {
        jdbc.update("INSERT INTO ntf_deliveries (delivery_id, target_id, user_id, conversation_id, payload, state,"
                        + " attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
                deliveryId, targetId, userId, conversationId, payload, PENDING, Sql.time(now), Sql.time(now));
    }

    /**
     * One notification to every target the user has now, in one statement; each delivery's id is
     * {@code notificationId:targetId}.
     *
     * @param notificationId at most 24 characters, unique per notification
     * @return the deliveries queued
     */
    public int enqueueForTargetsOf(String userId, String notificationId, String conversationId, String payload,
                                   Instant now) {
        return jdbc.update("INSERT INTO ntf_deliveries (delivery_id, target_id, user_id, conversation_id, payload, state,"
                        + " attempts, next_attempt_at, created_at) SELECT CONCAT(CAST(? AS VARCHAR(24)), ':', target_id),"
                        + " target_id, user_id, ?, ?, ?, 0, ?, ? FROM ntf_targets WHERE user_id = ?",
                notificationId, conversationId, payload, PENDING, Sql.time(now), Sql.time(now), userId);
    }

    /** Sends due now and not claimed by another attempt, oldest first, each with its target. */
    public List<Delivery> due(Instant now, int limit) {
        return jdbc.query("SELECT d.delivery_id, d.target_id, d.user_id, d.conversation_id, d.payload, d.attempts,"
                        + " t.kind, t.address, t.p256dh, t.auth, t.secret, t.label, t.created_at"
                        + " FROM ntf_deliveries d LEFT JOIN ntf_targets t ON t.target_id = d.target_id"
                        + " WHERE d.state = ? AND d.next_attempt_at <= ?"
                        + " AND (d.claimed_until IS NULL OR d.claimed_until < ?)"
                        + " ORDER BY d.next_attempt_at, d.delivery_id LIMIT " + limit,
                (rs, n) -> new Delivery(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getInt(6), rs.getString("kind") == null ? null
                        : new PushTarget(rs.getString(2), rs.getString(3), TargetKind.valueOf(rs.getString("kind")),
                        rs.getString("address"), rs.getString("p256dh"), rs.getString("auth"), rs.getString("secret"),
                        rs.getString("label"), Sql.instant(rs, "created_at"))),
                PENDING, Sql.time(now), Sql.time(now));
    }

    /** Takes a send for one attempt; false when another took it first. */
    public boolean claim(String deliveryId, Instant now, Instant until) {
        return jdbc.update("UPDATE ntf_deliveries SET claimed_until = ? WHERE delivery_id = ? AND state = ?"
                + " AND (claimed_until IS NULL OR claimed_until < ?)", Sql.time(until), deliveryId, PENDING,
                Sql.time(now)) == 1;
    }

    public void delivered(String deliveryId) {
        jdbc.update("DELETE FROM ntf_deliveries WHERE delivery_id = ?", deliveryId);
    }

    public void retryLater(String deliveryId, int attempts, Instant next, String error) {
        jdbc.update("UPDATE ntf_deliveries SET attempts = ?, next_attempt_at = ?, claimed_until = NULL, last_error = ?"
                + " WHERE delivery_id = ?", attempts, Sql.time(next), truncate(error), deliveryId);
    }

    public void deadLetter(String deliveryId, int attempts, String error, Instant now) {
        jdbc.update("UPDATE ntf_deliveries SET state = ?, attempts = ?, claimed_until = NULL, last_error = ?,"
                + " dead_at = ? WHERE delivery_id = ?", DEAD, attempts, truncate(error), Sql.time(now), deliveryId);
    }

    public List<DeadLetter> deadLetters(int limit) {
        return jdbc.query("SELECT delivery_id, target_id, user_id, conversation_id, attempts, last_error, created_at,"
                        + " dead_at FROM ntf_deliveries WHERE state = ? ORDER BY dead_at DESC, delivery_id LIMIT " + limit,
                (rs, n) -> new DeadLetter(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5), rs.getString(6), Sql.instant(rs, "created_at"), Sql.instant(rs, "dead_at")),
                DEAD);
    }

    /** An operator sends a dead letter again: a fresh round of attempts, starting now; false if there is none. */
    public boolean retryDead(String deliveryId, Instant now) {
        return jdbc.update("UPDATE ntf_deliveries SET state = ?, attempts = 0, next_attempt_at = ?, claimed_until = NULL,"
                + " dead_at = NULL WHERE delivery_id = ? AND state = ?", PENDING, Sql.time(now), deliveryId, DEAD) == 1;
    }

    /** Sends still waiting (not dead), for tests and the benchmark. */
    public int waiting() {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM ntf_deliveries WHERE state = ?", Integer.class, PENDING);
        return n == null ? 0 : n;
    }

    private static String truncate(String error) {
        if (error == null) {
            return null;
        }
        return error.length() <= 500 ? error : error.substring(0, 500);
    }
}
