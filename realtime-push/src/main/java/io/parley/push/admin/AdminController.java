package io.parley.push.admin;

import io.parley.api.admin.AdminMessages.CheckConsistencyQuery;
import io.parley.api.admin.AdminMessages.ConsistencyReport;
import io.parley.api.admin.AdminMessages.ProjectionStatus;
import io.parley.api.admin.AdminMessages.ProjectionStatusQuery;
import io.parley.api.admin.AdminMessages.RebuildProjection;
import io.parley.api.error.NotFoundException;
import io.parley.push.Backend;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Operator calls: rebuild a projection and follow its progress; check read models against events. ADMIN only, by the
 * security chain's rule for {@code /api/admin/**}.
 */
@RestController
@RequestMapping("/api/admin")
class AdminController {

    private final Backend backend;

    AdminController(Backend backend) {
        this.backend = backend;
    }

    @PostMapping("/projections/{name}/rebuild")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Mono<ProjectionStatus> rebuild(@PathVariable String name) {
        return backend.send(new RebuildProjection(name));
    }

    @GetMapping("/projections/{name}")
    Mono<ProjectionStatus> status(@PathVariable String name) {
        return backend.query(new ProjectionStatusQuery(name), ResponseTypes.optionalInstanceOf(ProjectionStatus.class))
                .flatMap(status -> status.map(Mono::just)
                        .orElseGet(() -> Mono.error(new NotFoundException("no projection named " + name))));
    }

    @PostMapping("/consistency-check")
    Mono<ConsistencyReport> check() {
        return backend.query(new CheckConsistencyQuery(), ResponseTypes.instanceOf(ConsistencyReport.class));
    }
}
