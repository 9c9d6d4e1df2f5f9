package io.parley.query.store.jdbc;

import io.parley.api.user.UserQueries.UserView;
import io.parley.query.store.UserStore;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.List;
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
                new MapSqlParameterSource("userId", userId), JdbcUserStore::view).stream().findFirst();
    }

    /**
     * {@code LIKE :prefix || '%'} with the prefix's own {@code %}, {@code _} and escape character escaped, so the prefix
     * matches literally. {@code !} is the escape character: a backslash means different things to H2 and to
     * PostgreSQL string literals. {@code OFFSET ... FETCH} is the SQL standard form both accept.
     */
    @Override
    public List<UserView> findByUsernamePrefix(String prefix, int limit, int offset) {
        return jdbc.query("SELECT user_id, username, display_name, registered_at FROM rm_users"
                        + " WHERE username LIKE :prefix || '%' ESCAPE '!'"
                        + " ORDER BY username, user_id OFFSET :offset ROWS FETCH NEXT :limit ROWS ONLY",
                new MapSqlParameterSource("prefix", escapeLike(prefix))
                        .addValue("offset", offset)
                        .addValue("limit", limit),
                JdbcUserStore::view);
    }

    static String escapeLike(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 4);
        for (char c : text.toCharArray()) {
            if (c == '!' || c == '%' || c == '_') {
                escaped.append('!');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    private static UserView view(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new UserView(rs.getString("user_id"), rs.getString("username"), rs.getString("display_name"),
                Sql.instant(rs, "registered_at"));
    }

    @Override
    public void clear() {
        jdbc.getJdbcTemplate().update("DELETE FROM rm_users");
    }
}
