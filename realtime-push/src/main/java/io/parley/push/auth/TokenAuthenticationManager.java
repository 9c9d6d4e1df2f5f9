package io.parley.push.auth;

import com.nimbusds.jwt.JWTParser;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtReactiveAuthenticationManager;
import reactor.core.publisher.Mono;

import java.text.ParseException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Authenticates the bearer credentials {@link TokenConverter} found, with the OAuth2 resource server's
 * {@link JwtReactiveAuthenticationManager}: Parley's session tokens and socket tickets with the HS256 decoders of
 * {@link TokenService}, and, when {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or
 * {@code .jwk-set-uri} is set, any other issuer's tokens with the decoder Spring Boot builds from that issuer's JWKS.
 * Which decoder reads a token is chosen by its (unverified) {@code iss}: only {@code "parley"} goes to the HS256 key,
 * so an external issuer can never mint Parley tokens, nor Parley external ones.
 * <p>
 * Every token then has to pass the {@link SessionGuard} (its session must not have ended), and a ticket is used up.
 */
final class TokenAuthenticationManager implements ReactiveAuthenticationManager {

    /** Tokens are a few hundred characters; anything far longer is not ours and not worth parsing. */
    static final int MAX_TOKEN_LENGTH = 8192;

    private final ReactiveAuthenticationManager sessions;
    private final ReactiveAuthenticationManager tickets;
    private final ReactiveAuthenticationManager external;

    /**
     * @param externalIssuer the decoder of an external issuer's tokens, or null when none is configured
     */
    TokenAuthenticationManager(TokenService tokens, SessionGuard guard, ReactiveJwtDecoder externalIssuer,
                               AuthProperties properties, RoleProperties roles) {
        this.sessions = manager(tokens.sessionTokens(), jwt -> guard.admit(TokenService.userOf(jwt)));
        this.tickets = manager(tokens.socketTickets(), jwt -> guard.admit(TokenService.userOf(jwt))
                .flatMap(user -> guard.claimTicket(jwt.getId(), jwt.getExpiresAt()).thenReturn(user)));
        this.external = externalIssuer == null ? null : manager(externalIssuer, jwt ->
                Mono.fromCallable(() -> externalUser(jwt, properties, roles)).flatMap(guard::admit));
    }

    @Override
    public Mono<Authentication> authenticate(Authentication authentication) {
        if (!(authentication instanceof BearerTokenAuthenticationToken bearer)) {
            return Mono.empty();
        }
        String token = bearer.getToken();
        if (token.length() > MAX_TOKEN_LENGTH) {
            SecurityLog.tokenRefused("token too long");
            return Mono.error(new InvalidBearerTokenException("token too long"));
        }
        boolean ticket = bearer instanceof TokenConverter.SocketTicket;
        ReactiveAuthenticationManager manager = ticket ? tickets
                : external == null || isParleys(token) ? sessions : external;
        // the security log gets the reason only: the token is a credential
        return manager.authenticate(bearer).doOnError(AuthenticationException.class, refused ->
                SecurityLog.tokenRefused((ticket ? "socket ticket: " : "") + refused.getMessage()));
    }

    /** Issued by Parley, or unreadable (then Parley's decoder says so, like for any malformed token). */
    private static boolean isParleys(String token) {
        try {
            return TokenService.ISSUER.equals(JWTParser.parse(token).getJWTClaimsSet().getIssuer());
        } catch (ParseException e) {
            return true;
        }
    }

    private static ReactiveAuthenticationManager manager(ReactiveJwtDecoder decoder,
                                                         Function<Jwt, Mono<AuthenticatedUser>> user) {
        JwtReactiveAuthenticationManager manager = new JwtReactiveAuthenticationManager(decoder);
        manager.setJwtAuthenticationConverter(jwt -> user.apply(jwt)
                .<AbstractAuthenticationToken>map(ParleyAuthentication::new));
        return manager;
    }

    /**
     * A user of an external issuer: {@code sub} is the user id, the username is the configured claim (else the
     * subject), roles come from the configured claim and from {@code parley.roles.*} by username. Such tokens carry
     * no Parley token version; their session is their {@code sid} or {@code jti} (see {@link TokenService#sessionOf}).
     */
    static AuthenticatedUser externalUser(Jwt jwt, AuthProperties properties, RoleProperties configured) {
        String userId = jwt.getSubject();
        if (userId == null || userId.isBlank()) {
            throw new InvalidBearerTokenException("token without subject");
        }
        String name = jwt.getClaimAsString(properties.externalUsernameClaim());
        String username = (name == null || name.isBlank() ? userId : name).toLowerCase(Locale.ROOT);
        Set<Role> roles = configured.of(username);
        Object claim = claimAt(jwt.getClaims(), properties.externalRolesClaim());
        Collection<?> names = claim instanceof Collection<?> list ? list
                : claim instanceof String text ? List.of(text.split("[\\s,]+")) : List.of();
        for (Object each : names) {
            for (Role role : Role.values()) {
                if (role.name().equalsIgnoreCase(String.valueOf(each).trim())) {
                    roles.add(role);
                }
            }
        }
        return new AuthenticatedUser(userId, username, roles, TokenService.sessionOf(jwt), 0, jwt.getExpiresAt());
    }

    /** The value at a dotted path ({@code realm_access.roles}) of nested JSON objects, or null. */
    private static Object claimAt(Map<String, Object> claims, String path) {
        Object current = claims;
        for (String key : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }
}
