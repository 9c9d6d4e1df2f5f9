package io.parley.query.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.api.media.Attachment;
import io.parley.query.store.MessageKey;
import io.parley.query.store.TimelineStore;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

final class JdbcTimelineStore implements TimelineStore {

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    private static final TypeReference<List<Attachment>> ATTACHMENTS = new TypeReference<>() {
    };
    private static final String COLUMNS =
            "conversation_id, seq, message_id, sender_id, body, sent_at, edited_at, deleted, attachments";

    /**
     * One statement: the insert runs only when no row has the key (a redelivered message is a no-op). A SELECT COUNT
     * before the INSERT was 43% of this method's CPU at 3,000 msg/s (docs/benchmark.md, fifth round).
     */
    private static final String INSERT_UNLESS_STORED = "INSERT INTO rm_messages (" + COLUMNS + ") SELECT"
            + " :conversationId, :seq, :messageId, :senderId, :body, :sentAt, :editedAt, :deleted, :attachments"
            + " WHERE NOT EXISTS (SELECT 1 FROM rm_messages WHERE conversation_id = :conversationId AND seq = :seq)";

    private final NamedParameterJdbcTemplate jdbc;
    private final RowMapper<MessageView> rowMapper = (rs, n) -> new MessageView(rs.getString("conversation_id"),
            rs.getString("message_id"), rs.getLong("seq"), rs.getString("sender_id"), rs.getString("body"),
            Sql.instant(rs, "sent_at"), Sql.instant(rs, "edited_at"), rs.getBoolean("deleted"),
            fromJson(rs.getString("attachments")));

    JdbcTimelineStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void append(MessageView m) {
        jdbc.update(INSERT_UNLESS_STORED, row(m));
    }

    /** One JDBC batch of the same statement: a message given twice finds its first row and is skipped. */
    @Override
    public void appendAll(List<MessageView> messages) {
        if (messages.size() == 1) {
            append(messages.get(0));
        } else if (!messages.isEmpty()) {
            jdbc.batchUpdate(INSERT_UNLESS_STORED, messages.stream().map(JdbcTimelineStore::row)
                    .toArray(MapSqlParameterSource[]::new));
        }
    }

    private static MapSqlParameterSource row(MessageView m) {
        return key(m.conversationId(), m.seq())
                .addValue("messageId", m.messageId())
                .addValue("senderId", m.senderId())
                .addValue("body", m.text())
                .addValue("sentAt", Sql.time(m.sentAt()))
                .addValue("editedAt", Sql.time(m.editedAt()))
                .addValue("deleted", m.deleted())
                .addValue("attachments", toJson(m.attachments()));
    }

    @Override
    public void edit(String conversationId, long seq, String text, Instant editedAt) {
        jdbc.update("UPDATE rm_messages SET body = :body, edited_at = :editedAt"
                        + " WHERE conversation_id = :conversationId AND seq = :seq AND deleted = FALSE",
                key(conversationId, seq).addValue("body", text).addValue("editedAt", Sql.time(editedAt)));
    }

    @Override
    public void delete(String conversationId, long seq) {
        jdbc.update("UPDATE rm_messages SET deleted = TRUE, body = NULL, attachments = NULL"
                + " WHERE conversation_id = :conversationId AND seq = :seq", key(conversationId, seq));
    }

    @Override
    public List<MessageView> range(String conversationId, long afterSeq, long beforeSeq, int limit, boolean newest) {
        List<MessageView> rows = jdbc.query("SELECT " + COLUMNS + " FROM rm_messages"
                        + " WHERE conversation_id = :conversationId AND seq > :after AND seq < :before"
                        + " ORDER BY seq " + (newest ? "DESC" : "ASC") + " LIMIT :limit",
                new MapSqlParameterSource("conversationId", conversationId)
                        .addValue("after", afterSeq)
                        .addValue("before", beforeSeq)
                        .addValue("limit", limit),
                rowMapper);
        if (newest) {
            rows = new ArrayList<>(rows);
            Collections.reverse(rows);
        }
        return rows;
    }

    @Override
    public List<MessageView> findAll(Collection<MessageKey> keys) {
        // Point look-ups by primary key: predictable on both databases, unlike an OR of composite keys.
        List<MessageView> found = new ArrayList<>(keys.size());
        for (MessageKey k : keys) {
            found.addAll(jdbc.query("SELECT " + COLUMNS + " FROM rm_messages"
                    + " WHERE conversation_id = :conversationId AND seq = :seq", key(k.conversationId(), k.seq()), rowMapper));
        }
        return found;
    }

    @Override
    public long countUnread(String conversationId, String userId, long readSeq) {
        Long count = jdbc.queryForObject("SELECT COUNT(*) FROM rm_messages WHERE conversation_id = :conversationId"
                        + " AND seq > :readSeq AND sender_id <> :userId AND deleted = FALSE",
                new MapSqlParameterSource("conversationId", conversationId)
                        .addValue("readSeq", readSeq)
                        .addValue("userId", userId),
                Long.class);
        return count == null ? 0 : count;
    }

    @Override
    public void clear() {
        jdbc.getJdbcTemplate().update("DELETE FROM rm_messages");
    }

    private static MapSqlParameterSource key(String conversationId, long seq) {
        return new MapSqlParameterSource("conversationId", conversationId).addValue("seq", seq);
    }

    private static String toJson(List<Attachment> attachments) {
        if (attachments == null || attachments.isEmpty()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(attachments.stream().map(Attachment::withoutLinks).toList());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("attachments not serializable", e);
        }
    }

    private static List<Attachment> fromJson(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return List.copyOf(JSON.readValue(json, ATTACHMENTS));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt attachments column: " + json, e);
        }
    }
}
