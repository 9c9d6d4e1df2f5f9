package io.parley.push.presence;

import io.parley.push.EdgeSchema;
import org.springframework.context.annotation.DependsOn;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When each user was last seen, kept by the edge in its own table (presence is not an event: it is never written to
 * the event store). Blocking JDBC: call it from worker threads only.
 */
@Component
@DependsOn(EdgeSchema.BEAN)
class LastSeenStore {

    private final JdbcTemplate jdbc;

    LastSeenStore(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    void record(String userId, Instant seen) {
        Timestamp at = Timestamp.from(seen);
        if (jdbc.update("UPDATE presence_last_seen SET last_seen = ? WHERE user_id = ? AND last_seen < ?",
                at, userId, at) > 0) {
            return;
        }
        try {
            jdbc.update("INSERT INTO presence_last_seen (user_id, last_seen) VALUES (?, ?)", userId, at);
        } catch (org.springframework.dao.DuplicateKeyException alreadyThere) {
            // a row exists with a later time (or was inserted concurrently): later wins
            jdbc.update("UPDATE presence_last_seen SET last_seen = ? WHERE user_id = ? AND last_seen < ?",
                    at, userId, at);
        }
    }

    Optional<Instant> find(String userId) {
        List<Timestamp> rows = jdbc.queryForList("SELECT last_seen FROM presence_last_seen WHERE user_id = ?",
                Timestamp.class, userId);
        return rows.stream().findFirst().map(Timestamp::toInstant);
    }
}
