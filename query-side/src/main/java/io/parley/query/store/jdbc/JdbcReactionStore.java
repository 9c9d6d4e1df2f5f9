package io.parley.query.store.jdbc;

import io.parley.api.conversation.ConversationQueries.MessageReactions;
import io.parley.api.conversation.ConversationQueries.Reaction;
import io.parley.query.store.ReactionStore;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class JdbcReactionStore implements ReactionStore {

    private final NamedParameterJdbcTemplate jdbc;

    JdbcReactionStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void add(String conversationId, long seq, String messageId, String userId, String emoji, long version) {
        MapSqlParameterSource key = reaction(conversationId, seq, userId, emoji).addValue("v", version);
        Integer present = jdbc.queryForObject("SELECT COUNT(*) FROM rm_reactions WHERE conversation_id = :c"
                + " AND seq = :s AND user_id = :u AND emoji = :e", key, Integer.class);
        if (present == null || present == 0) {
            jdbc.update("INSERT INTO rm_reactions (conversation_id, seq, user_id, emoji, reaction_version)"
                    + " VALUES (:c, :s, :u, :e, :v)", key);
        }
        touched(conversationId, seq, messageId, version);
    }

    @Override
    public void remove(String conversationId, long seq, String messageId, String userId, String emoji, long version) {
        jdbc.update("DELETE FROM rm_reactions WHERE conversation_id = :c AND seq = :s AND user_id = :u"
                + " AND emoji = :e", reaction(conversationId, seq, userId, emoji));
        touched(conversationId, seq, messageId, version);
    }

    @Override
    public void deleteOfMessage(String conversationId, long seq) {
        jdbc.update("DELETE FROM rm_reactions WHERE conversation_id = :c AND seq = :s",
                new MapSqlParameterSource("c", conversationId).addValue("s", seq));
    }

    private void touched(String conversationId, long seq, String messageId, long version) {
        MapSqlParameterSource key = new MapSqlParameterSource("c", conversationId).addValue("s", seq)
                .addValue("m", messageId).addValue("v", version);
        int updated = jdbc.update("UPDATE rm_reaction_changes SET reaction_version = :v"
                + " WHERE conversation_id = :c AND seq = :s AND reaction_version < :v", key);
        if (updated == 0) {
            Integer present = jdbc.queryForObject("SELECT COUNT(*) FROM rm_reaction_changes"
                    + " WHERE conversation_id = :c AND seq = :s", key, Integer.class);
            if (present == null || present == 0) {
                jdbc.update("INSERT INTO rm_reaction_changes (conversation_id, seq, message_id, reaction_version)"
                        + " VALUES (:c, :s, :m, :v)", key);
            }
        }
    }

    @Override
    public Map<Long, MessageReactions> ofMessages(String conversationId, Collection<Long> seqs) {
        if (seqs.isEmpty()) {
            return Map.of();
        }
        List<Object[]> changes = jdbc.query("SELECT seq, message_id, reaction_version FROM rm_reaction_changes"
                        + " WHERE conversation_id = :c AND seq IN (:seqs)",
                new MapSqlParameterSource("c", conversationId).addValue("seqs", seqs),
                (rs, n) -> new Object[]{rs.getLong("seq"), rs.getString("message_id"), rs.getLong("reaction_version")});
        return assemble(conversationId, changes);
    }

    @Override
    public List<MessageReactions> changedSince(String conversationId, long afterVersion, int limit) {
        List<Object[]> changes = jdbc.query("SELECT seq, message_id, reaction_version FROM rm_reaction_changes"
                        + " WHERE conversation_id = :c AND reaction_version > :v ORDER BY reaction_version"
                        + " FETCH FIRST :limit ROWS ONLY",
                new MapSqlParameterSource("c", conversationId).addValue("v", afterVersion).addValue("limit", limit),
                (rs, n) -> new Object[]{rs.getLong("seq"), rs.getString("message_id"), rs.getLong("reaction_version")});
        return new ArrayList<>(assemble(conversationId, changes).values());
    }

    @Override
    public Map<String, Long> latestVersions(Collection<String> conversationIds) {
        Map<String, Long> latest = new LinkedHashMap<>();
        if (conversationIds.isEmpty()) {
            return latest;
        }
        jdbc.query("SELECT conversation_id, MAX(reaction_version) AS v FROM rm_reaction_changes"
                        + " WHERE conversation_id IN (:ids) GROUP BY conversation_id",
                new MapSqlParameterSource("ids", conversationIds),
                rs -> {
                    latest.put(rs.getString("conversation_id"), rs.getLong("v"));
                });
        return latest;
    }

    /** The change rows in the order given, each with its message's reactions grouped by emoji. */
    private Map<Long, MessageReactions> assemble(String conversationId, List<Object[]> changes) {
        Map<Long, MessageReactions> result = new LinkedHashMap<>();
        if (changes.isEmpty()) {
            return result;
        }
        List<Long> seqs = changes.stream().map(c -> (Long) c[0]).toList();
        Map<Long, Map<String, List<String>>> byMessage = new LinkedHashMap<>();
        jdbc.query("SELECT seq, user_id, emoji FROM rm_reactions WHERE conversation_id = :c AND seq IN (:seqs)"
                        + " ORDER BY reaction_version",
                new MapSqlParameterSource("c", conversationId).addValue("seqs", seqs),
                rs -> {
                    byMessage.computeIfAbsent(rs.getLong("seq"), s -> new LinkedHashMap<>())
                            .computeIfAbsent(rs.getString("emoji"), e -> new ArrayList<>())
                            .add(rs.getString("user_id"));
                });
        for (Object[] change : changes) {
            long seq = (Long) change[0];
            List<Reaction> reactions = new ArrayList<>();
            byMessage.getOrDefault(seq, Map.of()).forEach((emoji, users) ->
                    reactions.add(new Reaction(emoji, users.size(), List.copyOf(users))));
            result.put(seq, new MessageReactions(conversationId, seq, (String) change[1], List.copyOf(reactions),
                    (Long) change[2]));
        }
        return result;
    }

    private static MapSqlParameterSource reaction(String conversationId, long seq, String userId, String emoji) {
        return new MapSqlParameterSource("c", conversationId).addValue("s", seq).addValue("u", userId)
                .addValue("e", emoji);
    }

    @Override
    public void clear() {
        jdbc.getJdbcTemplate().update("DELETE FROM rm_reactions");
        jdbc.getJdbcTemplate().update("DELETE FROM rm_reaction_changes");
    }
}
