package io.parley.query.store.jdbc;

import io.parley.query.store.ReplyStore;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

final class JdbcReplyStore implements ReplyStore {

    private final NamedParameterJdbcTemplate jdbc;

    JdbcReplyStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void record(String conversationId, long seq, long replyTo) {
        MapSqlParameterSource key = new MapSqlParameterSource("c", conversationId).addValue("s", seq);
        Integer present = jdbc.queryForObject("SELECT COUNT(*) FROM rm_replies WHERE conversation_id = :c AND seq = :s",
                key, Integer.class);
        if (present != null && present > 0) {
            return;
        }
        jdbc.update("INSERT INTO rm_replies (conversation_id, seq, reply_to) VALUES (:c, :s, :r)",
                key.addValue("r", replyTo));
    }

    @Override
    public Map<Long, Long> repliesAmong(String conversationId, Collection<Long> seqs) {
        Map<Long, Long> found = new HashMap<>();
        if (seqs.isEmpty()) {
            return found;
        }
        jdbc.query("SELECT seq, reply_to FROM rm_replies WHERE conversation_id = :c AND seq IN (:seqs)",
                new MapSqlParameterSource("c", conversationId).addValue("seqs", seqs),
                rs -> {
                    found.put(rs.getLong("seq"), rs.getLong("reply_to"));
                });
        return found;
    }

    @Override
    public void clear() {
        jdbc.getJdbcTemplate().update("DELETE FROM rm_replies");
    }
}
