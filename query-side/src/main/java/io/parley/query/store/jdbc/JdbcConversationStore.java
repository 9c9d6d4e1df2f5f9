package io.parley.query.store.jdbc;

import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationType;
import io.parley.api.conversation.MemberRole;
import io.parley.query.store.ConversationRecord;
import io.parley.query.store.ConversationStore;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class JdbcConversationStore implements ConversationStore {

    /** Bounded IN lists: well below every driver's parameter limit. */
    private static final int CHUNK = 500;

    private final NamedParameterJdbcTemplate jdbc;

    JdbcConversationStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void create(ConversationRecord c) {
        MapSqlParameterSource id = new MapSqlParameterSource("id", c.conversationId());
        Integer present = jdbc.queryForObject("SELECT COUNT(*) FROM rm_conversations WHERE conversation_id = :id", id,
                Integer.class);
        if (present != null && present > 0) {
            return;
        }
        jdbc.update("INSERT INTO rm_conversations (conversation_id, conversation_type, name, members_version, last_seq,"
                        + " updated_at) VALUES (:id, :type, :name, :version, :lastSeq, :updatedAt)",
                id.addValue("type", c.type().name())
                        .addValue("name", c.name())
                        .addValue("version", c.membersVersion())
                        .addValue("lastSeq", c.lastSeq())
                        .addValue("updatedAt", Sql.time(c.updatedAt())));
        insertMembers(c.conversationId(), c.members());
    }

    @Override
    public Optional<ConversationRecord> find(String conversationId) {
        return findAll(List.of(conversationId)).stream().findFirst();
    }

    @Override
    public List<ConversationRecord> findAll(Collection<String> conversationIds) {
        List<String> ids = conversationIds.stream().distinct().toList();
        List<ConversationRecord> found = new ArrayList<>(ids.size());
        for (int from = 0; from < ids.size(); from += CHUNK) {
            found.addAll(findChunk(ids.subList(from, Math.min(ids.size(), from + CHUNK))));
        }
        return found;
    }

    private List<ConversationRecord> findChunk(List<String> ids) {
        MapSqlParameterSource params = new MapSqlParameterSource("ids", ids);
        Map<String, List<Member>> members = new HashMap<>();
        jdbc.query("SELECT conversation_id, user_id, member_role FROM rm_conversation_members"
                + " WHERE conversation_id IN (:ids) ORDER BY conversation_id, ordinal", params, rs -> {
            members.computeIfAbsent(rs.getString("conversation_id"), k -> new ArrayList<>())
                    .add(new Member(rs.getString("user_id"), MemberRole.valueOf(rs.getString("member_role"))));
        });
        return jdbc.query("SELECT conversation_id, conversation_type, name, members_version, last_seq, updated_at"
                + " FROM rm_conversations WHERE conversation_id IN (:ids)", params, (rs, n) -> {
            String id = rs.getString("conversation_id");
            return new ConversationRecord(id, ConversationType.valueOf(rs.getString("conversation_type")),
                    rs.getString("name"), members.getOrDefault(id, List.of()), rs.getLong("members_version"),
                    rs.getLong("last_seq"), Sql.instant(rs, "updated_at"));
        });
    }

    @Override
    public boolean replaceMembers(String conversationId, List<Member> members, long version, Instant at) {
        int applied = jdbc.update("UPDATE rm_conversations SET members_version = :version,"
                        + " updated_at = GREATEST(updated_at, :at)"
                        + " WHERE conversation_id = :id AND members_version < :version",
                new MapSqlParameterSource("id", conversationId)
                        .addValue("version", version)
                        .addValue("at", Sql.time(at)));
        if (applied == 0) {
            return false;
        }
        // Membership changes are rare and groups small: rewriting the list keeps its order simple.
        jdbc.update("DELETE FROM rm_conversation_members WHERE conversation_id = :id",
                new MapSqlParameterSource("id", conversationId));
        insertMembers(conversationId, members);
        return true;
    }

    @Override
    public void messageAdded(String conversationId, long seq, Instant at) {
        jdbc.update("UPDATE rm_conversations SET last_seq = GREATEST(last_seq, :seq),"
                        + " updated_at = GREATEST(updated_at, :at) WHERE conversation_id = :id",
                new MapSqlParameterSource("id", conversationId).addValue("seq", seq).addValue("at", Sql.time(at)));
    }

    @Override
    public void clear() {
        jdbc.getJdbcTemplate().update("DELETE FROM rm_conversation_members");
        jdbc.getJdbcTemplate().update("DELETE FROM rm_conversations");
    }

    private void insertMembers(String conversationId, List<Member> members) {
        Map<String, Member> unique = new LinkedHashMap<>();
        members.forEach(m -> unique.putIfAbsent(m.userId(), m));
        List<MapSqlParameterSource> rows = new ArrayList<>(unique.size());
        int ordinal = 0;
        for (Member m : unique.values()) {
            rows.add(new MapSqlParameterSource("id", conversationId)
                    .addValue("userId", m.userId())
                    .addValue("role", m.role().name())
                    .addValue("ordinal", ordinal++));
        }
        if (!rows.isEmpty()) {
            jdbc.batchUpdate("INSERT INTO rm_conversation_members (conversation_id, user_id, member_role, ordinal)"
                    + " VALUES (:id, :userId, :role, :ordinal)", rows.toArray(MapSqlParameterSource[]::new));
        }
    }
}
