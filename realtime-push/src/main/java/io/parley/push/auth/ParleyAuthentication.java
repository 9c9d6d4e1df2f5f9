package io.parley.push.auth;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import java.util.List;

/**
 * A verified token as Spring Security sees it: the {@link AuthenticatedUser} as principal (so the name is the user
 * id) and the user's roles as authorities {@code ROLE_USER}, {@code ROLE_ADMIN}, ... for the chain's path rules. The
 * token itself is not kept: nothing downstream needs it, and a credential kept is a credential that can leak.
 */
final class ParleyAuthentication extends AbstractAuthenticationToken {

    private final AuthenticatedUser user;

    ParleyAuthentication(AuthenticatedUser user) {
        super(authorities(user));
        this.user = user;
        setAuthenticated(true);
    }

    static String authority(Role role) {
        return "ROLE_" + role.name();
    }

    private static List<GrantedAuthority> authorities(AuthenticatedUser user) {
        return user.roles().stream().sorted().<GrantedAuthority>map(role -> new SimpleGrantedAuthority(authority(role)))
                .toList();
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public AuthenticatedUser getPrincipal() {
        return user;
    }
}
