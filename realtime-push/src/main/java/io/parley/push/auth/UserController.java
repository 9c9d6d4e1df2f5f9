package io.parley.push.auth;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.error.NotFoundException;
import io.parley.api.user.UserCommands.RegisterUser;
import io.parley.api.user.UserQueries.FindUserQuery;
import io.parley.api.user.UserQueries.UserView;
import io.parley.push.Backend;
import io.parley.push.block.BlockList;
import reactor.util.function.Tuples;
import io.parley.push.presence.PresenceDirectory;
import io.parley.push.web.ApiException;
import io.parley.push.web.ErrorCode;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Registration, login and the user directory (PROTOCOL.md, HTTP). The credential store blocks (JDBC, BCrypt), so each
 * of its calls runs on a bounded elastic worker; commands and queries go through {@link Backend}, which does the
 * same for Axon's buses.
 */
@RestController
@RequestMapping("/api")
class UserController {

    static final Pattern USERNAME = Pattern.compile("[a-zA-Z0-9_.-]{3,32}");
    static final int MIN_PASSWORD = 8;
    static final int MAX_PASSWORD = 128;
    static final int MAX_DISPLAY_NAME = 64;
    static final String BAD_LOGIN = "bad username or password";
    static final String PASSWORD_RULE = "password must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters";

    private static final Logger log = LoggerFactory.getLogger(UserController.class);

    private final CredentialStore credentials;
    private final TokenService tokens;
    private final LoginThrottle throttle;
    private final Backend backend;
    private final ObjectProvider<PresenceDirectory> presence;

    private final RoleProperties roles;
    private final RoleGrants grants;

    private final BlockList blocks;

    UserController(CredentialStore credentials, TokenService tokens, LoginThrottle throttle, Backend backend,
                   ObjectProvider<PresenceDirectory> presence, RoleProperties roles, RoleGrants grants,
                   BlockList blocks) {
        this.blocks = blocks;
        this.roles = roles;
        this.grants = grants;
        this.credentials = credentials;
        this.tokens = tokens;
        this.throttle = throttle;
        this.backend = backend;
        this.presence = presence;
    }

    record RegisterRequest(String username, String password, String displayName) {
        @Override
        public String toString() {
            return "RegisterRequest[username=" + username + ", displayName=" + displayName + "]";
        }
    }

    record UserCreated(String userId, String username, String displayName) {
    }

    record LoginRequest(String username, String password) {
        @Override
        public String toString() {
            return "LoginRequest[username=" + username + "]";
        }
    }

    record SessionCreated(String token, String userId,
                          @JsonFormat(shape = JsonFormat.Shape.STRING) Instant expiresAt) {
        @Override
        public String toString() {
            return "SessionCreated[userId=" + userId + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** Times are ISO-8601 strings by contract, whatever the application's ObjectMapper defaults to. */
    record UserProfile(String userId, String username, String displayName, boolean online,
                       @JsonFormat(shape = JsonFormat.Shape.STRING) Instant lastSeen) {
    }

    /**
     * Claims the username first, then registers the profile through the command side. Should the command fail, the
     * claim is released, so a failed registration can be repeated.
     */
    @PostMapping("/users")
    Mono<ResponseEntity<UserCreated>> register(@RequestBody RegisterRequest request) {
        return Mono.defer(() -> {
            RegisterUser command = validate(request, UUID.randomUUID().toString());
            return Mono.fromCallable(() -> credentials.register(command.userId(), command.username(), request.password()))
                    .subscribeOn(Schedulers.boundedElastic())
                    .then(Mono.defer(() -> backend.send(command)))
                    .onErrorResume(error -> release(command.userId(), error))
                    .then(Mono.fromSupplier(() -> ResponseEntity
                            .created(URI.create("/api/users/" + command.userId()))
                            .body(new UserCreated(command.userId(), command.username(), command.displayName()))));
        });
    }

    /** Answers a token for a right username and password; the same 401 for an unknown user and a wrong password. */
    @PostMapping("/sessions")
    Mono<SessionCreated> login(@RequestBody LoginRequest request, ServerHttpRequest http) {
        return Mono.defer(() -> {
            if (request.username() == null || request.password() == null) {
                return Mono.error(new InvalidCommandException("username and password are required"));
            }
            String address = addressOf(http);
            Optional<Duration> blocked = throttle.blockedFor(request.username(), address);
            if (blocked.isPresent()) {
                SecurityLog.lockedOut(request.username(), address, blocked.get());
                return Mono.error(new ApiException(ErrorCode.RATE_LIMITED,
                        "too many failed logins; try again later", blocked.get()));
            }
            return Mono.fromCallable(() -> credentials.authenticate(request.username(), request.password()))
                    .subscribeOn(Schedulers.boundedElastic())
                    .map(found -> found.map(user -> {
                        throttle.succeeded(request.username());
                        TokenService.IssuedToken token = tokens.issue(user.userId(), user.username(),
                                grants.atLogin(roles, user), user.tokenVersion());
                        return new SessionCreated(token.token(), user.userId(), token.expiresAt());
                    }).orElseThrow(() -> {
                        throttle.failed(request.username(), address);
                        SecurityLog.loginFailed(request.username(), address);
                        return new ApiException(ErrorCode.UNAUTHORIZED, BAD_LOGIN);
                    }));
        });
    }

    /**
     * A user's public profile from the query side, with presence from this edge; a user who has blocked the caller
     * shows as offline, never seen (the same as someone who never connected: the caller is not told).
     */
    @GetMapping("/users/{userId}")
    Mono<UserProfile> profile(java.security.Principal principal, @PathVariable String userId) {
        return backend.<Optional<UserView>>query(new FindUserQuery(userId), ResponseTypes.optionalInstanceOf(UserView.class))
                .flatMap(Mono::justOrEmpty)
                .switchIfEmpty(Mono.error(() -> new NotFoundException("no such user")))
                .flatMap(view -> principal == null ? Mono.just(Tuples.of(view, false))
                        : Mono.fromCallable(() -> Tuples.of(view, blocks.hasBlocked(view.userId(),
                                principal.getName()))).subscribeOn(backend.workers()))
                .map(viewAndBlocked -> {
                    UserView view = viewAndBlocked.getT1();
                    if (viewAndBlocked.getT2()) { // blocked the caller: shown as someone never connected
                        return new UserProfile(view.userId(), view.username(), view.displayName(), false, null);
                    }
                    PresenceDirectory directory = presence.getIfAvailable();
                    boolean online = directory != null && directory.isOnline(view.userId());
                    Instant lastSeen = directory == null ? null : directory.lastSeen(view.userId()).orElse(null);
                    return new UserProfile(view.userId(), view.username(), view.displayName(), online, lastSeen);
                });
    }

    private <T> Mono<T> release(String userId, Throwable error) {
        return Mono.fromRunnable(() -> {
                    if (credentials.delete(userId)) {
                        log.warn("registration of {} failed after its username was claimed; claim released", userId);
                    }
                })
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorResume(cleanup -> {
                    log.error("could not release the username claim of {}", userId, cleanup);
                    return Mono.empty();
                })
                .then(Mono.error(error));
    }

    /** Checks a registration and turns it into the command; the username is lower-cased, the display name trimmed. */
    static RegisterUser validate(RegisterRequest request, String userId) {
        String username = request.username();
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new InvalidCommandException("username must be 3 to 32 characters of letters, digits, '_', '.' or '-'");
        }
        String password = request.password();
        if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw new InvalidCommandException(PASSWORD_RULE);
        }
        String displayName = request.displayName() == null ? "" : request.displayName().strip();
        if (displayName.isEmpty() || displayName.length() > MAX_DISPLAY_NAME) {
            throw new InvalidCommandException("displayName must be 1 to " + MAX_DISPLAY_NAME + " characters, not blank");
        }
        return new RegisterUser(userId, CredentialStore.normalize(username), displayName);
    }

    static String addressOf(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        if (remote == null) {
            return null;
        }
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }
}
