package io.parley.push.auth;

import io.parley.push.EdgeSchema;
import org.springframework.context.annotation.DependsOn;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.util.EnumSet;
import java.util.Set;

/**
 * Roles granted at run time by an ADMIN, kept by the edge beside the credentials (like them, not in events; the table
 * {@code role_grants} is migrated by {@link EdgeSchema}). They add to the roles configured by username
 * ({@link RoleProperties}) and take effect at the user's next login. Blocking JDBC: call from worker threads.
 */
@Component
@DependsOn(EdgeSchema.BEAN)
class RoleGrants {

    private final JdbcTemplate jdbc;

    RoleGrants(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    Set<Role> of(String userId) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        jdbc.queryForList("SELECT role FROM role_grants WHERE user_id = ?", String.class, userId)
                .forEach(name -> roles.add(Role.valueOf(name)));
        return roles;
    }

    /** What a token issued now grants: the roles configured by username plus those granted at run time. */
    Set<Role> atLogin(RoleProperties configured, CredentialStore.Credentials user) {
        Set<Role> roles = configured.of(user.username());
        roles.addAll(of(user.userId()));
        return roles;
    }

    /** Replaces the user's granted roles ({@link Role#USER} is implicit and never stored). */
    void replace(String userId, Set<Role> roles) {
        jdbc.execute((java.sql.Connection connection) -> {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false); // all or nothing
            try (var delete = connection.prepareStatement("DELETE FROM role_grants WHERE user_id = ?");
                 var insert = connection.prepareStatement("INSERT INTO role_grants (user_id, role) VALUES (?, ?)")) {
                delete.setString(1, userId);
                delete.executeUpdate();
                for (Role role : roles) {
                    if (role != Role.USER) {
                        insert.setString(1, userId);
                        insert.setString(2, role.name());
                        insert.executeUpdate();
                    }
                }
                connection.commit();
            } catch (java.sql.SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
            return null;
        });
    }
}
