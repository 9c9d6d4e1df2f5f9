package io.parley.push.admin;

import io.parley.api.admin.AdminMessages.CheckConsistencyQuery;
import io.parley.api.admin.AdminMessages.ConsistencyReport;
import io.parley.api.admin.AdminMessages.ProjectionStatus;
import io.parley.api.admin.AdminMessages.ProjectionStatusQuery;
import io.parley.api.admin.AdminMessages.RebuildProjection;
import io.parley.api.error.ForbiddenException;
import io.parley.api.error.NotFoundException;
import io.parley.push.Backend;
import io.parley.push.auth.AuthenticatedUser;
import io.parley.push.auth.Role;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.security.Principal;

/** Operator calls (ADMIN only): rebuild a projection and follow its progress; check read models against events. */
@RestController
@RequestMapping("/api/admin")
class AdminController {

    private final Backend backend;

    AdminController(Backend backend) {
        this.backend = backend;
    }

    @PostMapping("/projections/{name}/rebuild")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Mono<ProjectionStatus> rebuild(Principal principal, @PathVariable String name) {
        requireAdmin(principal);
        return backend.send(new RebuildProjection(name));
    }

    @GetMapping("/projections/{name}")
    Mono<ProjectionStatus> status(Principal principal, @PathVariable String name) {
        requireAdmin(principal);
        return backend.query(new ProjectionStatusQuery(name), ResponseTypes.optionalInstanceOf(ProjectionStatus.class))
                .flatMap(status -> status.map(Mono::just)
                        .orElseGet(() -> Mono.error(new NotFoundException("no projection named " + name))));
    }

    @PostMapping("/consistency-check")
    Mono<ConsistencyReport> check(Principal principal) {
        requireAdmin(principal);
        return backend.query(new CheckConsistencyQuery(), ResponseTypes.instanceOf(ConsistencyReport.class));
    }

    private static void requireAdmin(Principal principal) {
        if (!(principal instanceof AuthenticatedUser user) || !user.hasRole(Role.ADMIN)) {
            throw new ForbiddenException("this call needs the ADMIN role");
        }
    }
}
