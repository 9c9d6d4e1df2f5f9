package io.parley.push.auth;

import org.springframework.security.core.Authentication;

import java.security.Principal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The user a request or a socket acts for, read from a verified token by the security chain
 * ({@link SecurityConfiguration}). The request's principal is a Spring Security {@code Authentication} whose
 * principal is this record and whose name is the user id; {@link #of(Principal)} finds it from either.
 *
 * @param userId       the user's id (the token's {@code sub})
 * @param username     the user's lower-case username at the time the token was issued
 * @param roles        what the token grants; always contains {@link Role#USER}
 * @param sessionId    the login the token belongs to (its {@code sid}); logging out ends it
 * @param tokenVersion the user's token version when the token was issued (its {@code ver}, 0 when absent); a
 *                     password change or an erasure raises the user's version and so ends every older token
 * @param expiresAt    when the session's token stops being accepted, or null when it does not say
 */
public record AuthenticatedUser(String userId, String username, Set<Role> roles, String sessionId, long tokenVersion,
                                Instant expiresAt) implements Principal {

    public AuthenticatedUser {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(sessionId, "sessionId");
        roles = roles == null || roles.isEmpty() ? Set.of(Role.USER) : Set.copyOf(roles);
    }

    public boolean hasRole(Role role) {
        return roles.contains(role);
    }

    /** The user id: what everything downstream keys on. */
    @Override
    public String getName() {
        return userId;
    }

    /** The user behind a request's or a handshake's principal, if it was authenticated by the security chain. */
    public static Optional<AuthenticatedUser> of(Principal principal) {
        if (principal instanceof AuthenticatedUser user) {
            return Optional.of(user);
        }
        if (principal instanceof Authentication authentication
                && authentication.getPrincipal() instanceof AuthenticatedUser user) {
            return Optional.of(user);
        }
        return Optional.empty();
    }
}
