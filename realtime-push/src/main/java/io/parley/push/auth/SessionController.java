package io.parley.push.auth;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.parley.api.error.ForbiddenException;
import io.parley.api.error.InvalidCommandException;
import io.parley.push.web.ApiException;
import io.parley.push.web.ErrorCode;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A session's life after login: a one-time ticket for the socket, logging out, and changing the password (which ends
 * every session of the user and answers a new one). Who may call what is the security chain's rule (a user's own
 * paths are the user's); the credential store blocks, so its calls run on a worker.
 */
@RestController
class SessionController {

    static final String WRONG_PASSWORD = "the current password is not right";

    private final TokenService tokens;
    private final SessionGuard guard;
    private final CredentialStore credentials;
    private final LoginThrottle throttle;
    private final RoleProperties roles;
    private final RoleGrants grants;

    SessionController(TokenService tokens, SessionGuard guard, CredentialStore credentials, LoginThrottle throttle,
                      RoleProperties roles, RoleGrants grants) {
        this.tokens = tokens;
        this.guard = guard;
        this.credentials = credentials;
        this.throttle = throttle;
        this.roles = roles;
        this.grants = grants;
    }

    record TicketIssued(String ticket, @JsonFormat(shape = JsonFormat.Shape.STRING) Instant expiresAt) {
        @Override
        public String toString() {
            return "TicketIssued[expiresAt=" + expiresAt + "]";
        }
    }

    record PasswordChange(String currentPassword, String newPassword) {
        @Override
        public String toString() {
            return "PasswordChange[]";
        }
    }

    /**
     * A ticket that opens one socket ({@code /ws?ticket=...}) for the caller's session within a few seconds, so that
     * browsers need not put the session token into a URL. It stops working when it is used, when it expires, and
     * when the session ends.
     */
    @PostMapping("/api/sessions/socket-ticket")
    Mono<TicketIssued> socketTicket(Principal principal) {
        TokenService.IssuedToken ticket = tokens.issueTicket(caller(principal));
        return Mono.just(new TicketIssued(ticket.token(), ticket.expiresAt()));
    }

    /** Ends the caller's session: its token is refused from now on and the sockets it opened are closed. */
    @DeleteMapping("/api/users/{userId}/sessions/current")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> logOut(Principal principal, @PathVariable String userId) {
        return guard.endSession(caller(principal));
    }

    /**
     * Replaces the password after checking the current one (failures count against the same throttle as logins),
     * ends every session of the user, and answers a new session like {@code POST /api/sessions}.
     */
    @PutMapping("/api/users/{userId}/password")
    Mono<UserController.SessionCreated> changePassword(Principal principal, @PathVariable String userId,
                                                       @RequestBody PasswordChange request, ServerHttpRequest http) {
        return Mono.defer(() -> {
            AuthenticatedUser user = caller(principal);
            if (request.currentPassword() == null || request.newPassword() == null) {
                return Mono.error(new InvalidCommandException("currentPassword and newPassword are required"));
            }
            String password = request.newPassword();
            if (password.length() < UserController.MIN_PASSWORD || password.length() > UserController.MAX_PASSWORD) {
                return Mono.error(new InvalidCommandException("newPassword: " + UserController.PASSWORD_RULE));
            }
            String address = UserController.addressOf(http);
            Optional<Duration> blocked = throttle.blockedFor(user.username(), address);
            if (blocked.isPresent()) {
                SecurityLog.lockedOut(user.username(), address, blocked.get());
                return Mono.error(new ApiException(ErrorCode.RATE_LIMITED,
                        "too many wrong passwords; try again later", blocked.get()));
            }
            return Mono.fromCallable(() -> credentials.authenticateById(user.userId(), request.currentPassword())
                            .map(found -> new Checked(found, credentials.hash(password)))
                            .orElseThrow(() -> {
                                throttle.failed(user.username(), address);
                                SecurityLog.passwordCheckFailed(user.userId(), address);
                                return new ForbiddenException(WRONG_PASSWORD);
                            }))
                    .subscribeOn(Schedulers.boundedElastic())
                    .flatMap(checked -> guard.changePassword(user.userId(), checked.hash())
                            .publishOn(Schedulers.boundedElastic())
                            .map(version -> {
                                throttle.succeeded(user.username());
                                CredentialStore.Credentials found = checked.credentials();
                                TokenService.IssuedToken token = tokens.issue(found.userId(), found.username(),
                                        grants.atLogin(roles, found), version);
                                return new UserController.SessionCreated(token.token(), found.userId(),
                                        token.expiresAt());
                            }));
        });
    }

    private record Checked(CredentialStore.Credentials credentials, String hash) {
    }

    private static AuthenticatedUser caller(Principal principal) {
        return AuthenticatedUser.of(principal).orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED,
                SecurityAnswers.MISSING));
    }
}
