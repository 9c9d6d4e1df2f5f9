package io.parley.query.store.jdbc;

import io.parley.api.user.UserQueries.UserView;
import io.parley.query.store.UserStore;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.Optional;

final class JdbcUserStore implements UserStore {

    private final NamedParameterJdbcTemplate jdbc;

    JdbcUserStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void register(UserView user) {
        MapSqlParameterSource id = new MapSqlParameterSource("userId", user.userId());
        Integer present = jdbc.queryForObject("SELECT COUNT(*) FROM rm_users WHERE user_id = :userId", id,
                Integer.class);
        if (present != null && present > 0) {
            return;
        }
        jdbc.update("INSERT INTO rm_users (user_id, username, display_name, registered_at)"
                        + " VALUES (:userId, :username, :displayName, :registeredAt)",
                id.addValue("username", user.username())
                        .addValue("displayName", user.displayName())
                        .addValue("registeredAt", Sql.time(user.registeredAt())));
    }

    @Override
    public void changeDisplayName(String userId, String displayName) {
        jdbc.update("UPDATE rm_users SET display_name = :displayName WHERE user_id = :userId",
                new MapSqlParameterSource("userId", userId).addValue("displayName", displayName));
    }

    @Override
    public Optional<UserView> find(String userId) {
        return jdbc.query("SELECT user_id, username, display_name, registered_at FROM rm_users WHERE user_id = :userId",
                new MapSqlParameterSource("userId", userId),
                (rs, n) -> new UserView(rs.getString("user_id"), rs.getString("username"),
                        rs.getString("display_name"), Sql.instant(rs, "registered_at"))).stream().findFirst();
    }

    @Override
    public void clear() {
        jdbc.getJdbcTemplate().update("DELETE FROM rm_users");
    }
}
