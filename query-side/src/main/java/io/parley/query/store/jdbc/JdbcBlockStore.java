package io.parley.query.store.jdbc;

import io.parley.api.user.UserQueries.BlockedUser;
import io.parley.query.store.BlockStore;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.time.Instant;
import java.util.List;

final class JdbcBlockStore implements BlockStore {

    private final NamedParameterJdbcTemplate jdbc;

    JdbcBlockStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void block(String userId, String blockedUserId, Instant at) {
        MapSqlParameterSource key = new MapSqlParameterSource("u", userId).addValue("b", blockedUserId);
        Integer present = jdbc.queryForObject("SELECT COUNT(*) FROM rm_blocks WHERE user_id = :u"
                + " AND blocked_user_id = :b", key, Integer.class);
        if (present == null || present == 0) {
            jdbc.update("INSERT INTO rm_blocks (user_id, blocked_user_id, blocked_at) VALUES (:u, :b, :at)",
                    key.addValue("at", Sql.time(at)));
        }
    }

    @Override
    public void unblock(String userId, String blockedUserId) {
        jdbc.update("DELETE FROM rm_blocks WHERE user_id = :u AND blocked_user_id = :b",
                new MapSqlParameterSource("u", userId).addValue("b", blockedUserId));
    }

    @Override
    public List<BlockedUser> blockedBy(String userId) {
        return jdbc.query("SELECT blocked_user_id, blocked_at FROM rm_blocks WHERE user_id = :u"
                        + " ORDER BY blocked_at, blocked_user_id", new MapSqlParameterSource("u", userId),
                (rs, n) -> new BlockedUser(rs.getString("blocked_user_id"), Sql.instant(rs, "blocked_at")));
    }

    @Override
    public void clear() {
        jdbc.getJdbcTemplate().update("DELETE FROM rm_blocks");
    }
}
