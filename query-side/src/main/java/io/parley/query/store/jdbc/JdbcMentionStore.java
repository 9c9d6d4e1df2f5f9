package io.parley.query.store.jdbc;

import io.parley.query.store.MentionStore;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class JdbcMentionStore implements MentionStore {

    private final NamedParameterJdbcTemplate jdbc;

    JdbcMentionStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void record(String conversationId, long seq, Collection<String> userIds) {
        for (String userId : userIds) {
            MapSqlParameterSource key = new MapSqlParameterSource("c", conversationId).addValue("s", seq)
                    .addValue("u", userId);
            Integer present = jdbc.queryForObject("SELECT COUNT(*) FROM rm_mentions"
                    + " WHERE conversation_id = :c AND seq = :s AND user_id = :u", key, Integer.class);
            if (present == null || present == 0) {
                jdbc.update("INSERT INTO rm_mentions (conversation_id, seq, user_id, is_read)"
                        + " VALUES (:c, :s, :u, FALSE)", key);
            }
        }
    }

    @Override
    public void read(String userId, String conversationId, long upToSeq) {
        jdbc.update("UPDATE rm_mentions SET is_read = TRUE WHERE conversation_id = :c AND user_id = :u"
                        + " AND seq <= :s AND is_read = FALSE",
                new MapSqlParameterSource("c", conversationId).addValue("u", userId).addValue("s", upToSeq));
    }

    @Override
    public void deleteOfMessage(String conversationId, long seq) {
        jdbc.update("DELETE FROM rm_mentions WHERE conversation_id = :c AND seq = :s",
                new MapSqlParameterSource("c", conversationId).addValue("s", seq));
    }

    @Override
    public Map<Long, List<String>> mentionsAmong(String conversationId, Collection<Long> seqs) {
        Map<Long, List<String>> found = new LinkedHashMap<>();
        if (seqs.isEmpty()) {
            return found;
        }
        jdbc.query("SELECT seq, user_id FROM rm_mentions WHERE conversation_id = :c AND seq IN (:seqs)"
                        + " ORDER BY seq, user_id",
                new MapSqlParameterSource("c", conversationId).addValue("seqs", seqs),
                rs -> {
                    found.computeIfAbsent(rs.getLong("seq"), s -> new ArrayList<>()).add(rs.getString("user_id"));
                });
        return found;
    }

    @Override
    public Map<String, Long> unreadOf(String userId) {
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.query("SELECT conversation_id, COUNT(*) AS n FROM rm_mentions WHERE user_id = :u AND is_read = FALSE"
                        + " GROUP BY conversation_id", new MapSqlParameterSource("u", userId),
                rs -> {
                    counts.put(rs.getString("conversation_id"), rs.getLong("n"));
                });
        return counts;
    }

    @Override
    public void clear() {
        jdbc.getJdbcTemplate().update("DELETE FROM rm_mentions");
    }
}
