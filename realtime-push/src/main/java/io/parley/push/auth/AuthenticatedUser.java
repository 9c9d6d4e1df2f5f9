package io.parley.push.auth;

import java.security.Principal;
import java.util.Objects;
import java.util.Set;

/**
 * The user a request or a socket acts for, established by {@link AuthWebFilter} from a verified token. Controllers
 * take it as a {@code java.security.Principal} argument; the socket handler reads it from
 * {@code session.getHandshakeInfo().getPrincipal()}.
 *
 * @param userId   the user's id (the token's {@code sub})
 * @param username the user's lower-case username at the time the token was issued
 * @param roles    what the token grants; always contains {@link Role#USER}
 */
public record AuthenticatedUser(String userId, String username, Set<Role> roles) implements Principal {

    public AuthenticatedUser {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(username, "username");
        roles = roles == null || roles.isEmpty() ? Set.of(Role.USER) : Set.copyOf(roles);
    }

    /** A plain user. */
    public AuthenticatedUser(String userId, String username) {
        this(userId, username, Set.of(Role.USER));
    }

    public boolean hasRole(Role role) {
        return roles.contains(role);
    }

    /** The user id: what everything downstream keys on. */
    @Override
    public String getName() {
        return userId;
    }
}
