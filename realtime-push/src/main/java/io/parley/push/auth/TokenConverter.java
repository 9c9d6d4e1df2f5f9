package io.parley.push.auth;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Finds the credential of a request: {@code Authorization: Bearer <token>} anywhere; on the socket handshake
 * ({@code /ws}) also the query parameter {@code ticket} (a one-time socket ticket, what the web client uses) or
 * {@code access_token} (the session token, for older clients; it ends up in access logs). A header wins over both.
 * Public requests ({@link SecurityConfiguration#PUBLIC}) carry none: a stale token must not stop a login.
 */
final class TokenConverter implements ServerAuthenticationConverter {

    /** A socket ticket presented at the handshake: verified as a ticket, and only once. */
    static final class SocketTicket extends BearerTokenAuthenticationToken {
        SocketTicket(String ticket) {
            super(ticket);
        }
    }

    private static final String BEARER = "Bearer ";

    @Override
    public Mono<Authentication> convert(ServerWebExchange exchange) {
        return SecurityConfiguration.PUBLIC.matches(exchange)
                .flatMap(open -> open.isMatch() ? Mono.empty()
                        : SecurityConfiguration.SOCKET.matches(exchange)
                        .flatMap(socket -> Mono.justOrEmpty(credentialOf(exchange.getRequest(), socket.isMatch()))));
    }

    private static Authentication credentialOf(ServerHttpRequest request, boolean socket) {
        String header = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = header.substring(BEARER.length()).trim();
            if (!token.isEmpty()) {
                return new BearerTokenAuthenticationToken(token);
            }
        }
        if (socket) {
            String ticket = request.getQueryParams().getFirst("ticket");
            if (ticket != null && !ticket.isBlank()) {
                return new SocketTicket(ticket.trim());
            }
            String token = request.getQueryParams().getFirst("access_token");
            if (token != null && !token.isBlank()) {
                return new BearerTokenAuthenticationToken(token.trim());
            }
        }
        return null;
    }
}
