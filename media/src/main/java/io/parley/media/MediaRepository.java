package io.parley.media;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import javax.sql.DataSource;
import java.util.List;
import java.util.Optional;

/** The media tables, through JDBC (H2 in standalone, PostgreSQL in distributed mode). */
final class MediaRepository {

    private static final RowMapper<MediaRecord> ROW = (rs, n) -> new MediaRecord(rs.getString("media_id"),
            rs.getString("owner_id"), rs.getString("name"), rs.getString("declared_type"),
            rs.getLong("declared_size"), rs.getString("state"), rs.getString("content_type"),
            (Long) rs.getObject("size", Long.class), rs.getString("sha256"),
            (Integer) rs.getObject("width", Integer.class), (Integer) rs.getObject("height", Integer.class),
            rs.getBoolean("thumbnail"), rs.getLong("created_at"));

    private final NamedParameterJdbcTemplate jdbc;

    MediaRepository(DataSource dataSource) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    void insert(MediaRecord r) {
        jdbc.update("INSERT INTO media_objects (media_id, owner_id, name, declared_type, declared_size, state,"
                        + " thumbnail, created_at) VALUES (:id, :owner, :name, :type, :size, :state, FALSE, :at)",
                new MapSqlParameterSource("id", r.mediaId()).addValue("owner", r.ownerId()).addValue("name", r.name())
                        .addValue("type", r.declaredType()).addValue("size", r.declaredSize())
                        .addValue("state", r.state()).addValue("at", r.createdAt()));
    }

    Optional<MediaRecord> find(String mediaId) {
        return jdbc.query("SELECT * FROM media_objects WHERE media_id = :id", new MapSqlParameterSource("id", mediaId),
                ROW).stream().findFirst();
    }

    /** Moves {@code from} → {@code to}; false when the row was not in state {@code from}. */
    boolean transition(String mediaId, String from, String to) {
        return jdbc.update("UPDATE media_objects SET state = :to WHERE media_id = :id AND state = :from",
                new MapSqlParameterSource("id", mediaId).addValue("from", from).addValue("to", to)) == 1;
    }

    void ready(String mediaId, MediaInspector.Inspected found, long at) {
        jdbc.update("UPDATE media_objects SET state = 'READY', content_type = :type, size = :size, sha256 = :sha,"
                        + " width = :w, height = :h, thumbnail = :thumb, completed_at = :at WHERE media_id = :id",
                new MapSqlParameterSource("id", mediaId).addValue("type", found.contentType())
                        .addValue("size", found.size()).addValue("sha", found.sha256()).addValue("w", found.width())
                        .addValue("h", found.height()).addValue("thumb", found.thumbnail()).addValue("at", at));
    }

    void markDeleted(String mediaId) {
        jdbc.update("UPDATE media_objects SET state = 'DELETED' WHERE media_id = :id",
                new MapSqlParameterSource("id", mediaId));
    }

    /** Uploads the user started at or after {@code since}. */
    int startedSince(String ownerId, long since) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM media_objects WHERE owner_id = :owner"
                + " AND created_at >= :since", new MapSqlParameterSource("owner", ownerId).addValue("since", since),
                Integer.class);
        return n == null ? 0 : n;
    }

    /** Bytes the user's media take: stored size when inspected, declared size until then. */
    long bytesOf(String ownerId) {
        Long n = jdbc.queryForObject("SELECT COALESCE(SUM(COALESCE(size, declared_size)), 0) FROM media_objects"
                + " WHERE owner_id = :owner AND state <> 'DELETED'", new MapSqlParameterSource("owner", ownerId),
                Long.class);
        return n == null ? 0 : n;
    }

    void recordUse(String mediaId, String conversationId, long seq, String messageId) {
        MapSqlParameterSource p = new MapSqlParameterSource("id", mediaId).addValue("c", conversationId)
                .addValue("seq", seq).addValue("m", messageId);
        // a retried send records the same use again: insert only what is not there
        jdbc.update("INSERT INTO media_uses (media_id, conversation_id, seq, message_id) SELECT :id, :c, :seq, :m"
                + " WHERE NOT EXISTS (SELECT 1 FROM media_uses WHERE media_id = :id AND conversation_id = :c"
                + " AND seq = :seq)", p);
    }

    /** The conversations a media was sent in. */
    List<String> conversationsOf(String mediaId) {
        return jdbc.queryForList("SELECT DISTINCT conversation_id FROM media_uses WHERE media_id = :id",
                new MapSqlParameterSource("id", mediaId), String.class);
    }

    List<String> mediaOfMessage(String conversationId, long seq) {
        return jdbc.queryForList("SELECT media_id FROM media_uses WHERE conversation_id = :c AND seq = :seq",
                new MapSqlParameterSource("c", conversationId).addValue("seq", seq), String.class);
    }

    List<String> mediaOfOwner(String ownerId) {
        return jdbc.queryForList("SELECT media_id FROM media_objects WHERE owner_id = :owner",
                new MapSqlParameterSource("owner", ownerId), String.class);
    }

    /** Uploads never completed, started before {@code before}. */
    List<String> unfinished(long before) {
        return jdbc.queryForList("SELECT media_id FROM media_objects WHERE state IN ('PENDING', 'INSPECTING')"
                + " AND created_at < :before", new MapSqlParameterSource("before", before), String.class);
    }

    /** Finished uploads never attached to a message, started before {@code before}. */
    List<String> unattached(long before) {
        return jdbc.queryForList("SELECT media_id FROM media_objects o WHERE state = 'READY' AND created_at < :before"
                        + " AND NOT EXISTS (SELECT 1 FROM media_uses u WHERE u.media_id = o.media_id)",
                new MapSqlParameterSource("before", before), String.class);
    }

    void remove(String mediaId) {
        MapSqlParameterSource p = new MapSqlParameterSource("id", mediaId);
        jdbc.update("DELETE FROM media_uses WHERE media_id = :id", p);
        jdbc.update("DELETE FROM media_objects WHERE media_id = :id", p);
    }
}
