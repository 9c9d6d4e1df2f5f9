package io.parley.push.auth;

import io.parley.api.error.InvalidCommandException;
import io.parley.api.error.NotFoundException;
import io.parley.api.user.UserQueries.FindUserQuery;
import io.parley.api.user.UserQueries.UserView;
import io.parley.push.Backend;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * ADMIN grants and revokes AUDITOR, ANALYST and ADMIN at run time; effective at the user's next login. ADMIN only, by
 * the security chain's rule for {@code /api/admin/**}.
 */
@RestController
class RoleController {

    private final RoleGrants grants;
    private final Backend backend;

    RoleController(RoleGrants grants, Backend backend) {
        this.grants = grants;
        this.backend = backend;
    }

    record RolesRequest(List<String> roles) {
    }

    record GrantedRoles(String userId, Set<Role> roles) {
    }

    @GetMapping("/api/admin/users/{userId}/roles")
    Mono<GrantedRoles> granted(@PathVariable String userId) {
        return Mono.fromCallable(() -> new GrantedRoles(userId, grants.of(userId))).subscribeOn(backend.workers());
    }

    @PutMapping("/api/admin/users/{userId}/roles")
    Mono<GrantedRoles> grant(java.security.Principal principal, @PathVariable String userId,
                             @RequestBody RolesRequest request) {
        String actor = AuthenticatedUser.of(principal).map(AuthenticatedUser::userId).orElse(principal.getName());
        Set<Role> roles = parse(request.roles());
        // a user registered a moment ago may not be in the read model yet: look again briefly before saying no
        return Mono.defer(() -> backend.<Optional<UserView>>query(new FindUserQuery(userId),
                        ResponseTypes.optionalInstanceOf(UserView.class)))
                .filter(Optional::isPresent)
                .repeatWhenEmpty(attempts -> attempts.take(20).delayElements(java.time.Duration.ofMillis(50)))
                .switchIfEmpty(Mono.error(new NotFoundException("no such user")))
                .publishOn(backend.workers())
                .map(user -> {
                    Set<Role> before = grants.of(userId);
                    grants.replace(userId, roles);
                    Set<Role> after = grants.of(userId);
                    SecurityLog.rolesChanged(actor, userId, before, after);
                    return new GrantedRoles(userId, after);
                });
    }

    private static Set<Role> parse(List<String> names) {
        if (names == null || names.stream().anyMatch(java.util.Objects::isNull)) {
            throw new InvalidCommandException("'roles' must be a list of role names");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : names) {
            try {
                roles.add(Role.valueOf(name.trim().toUpperCase()));
            } catch (IllegalArgumentException e) {
                throw new InvalidCommandException("unknown role '" + name + "'; roles are AUDITOR, ANALYST, ADMIN");
            }
        }
        return roles;
    }
}
