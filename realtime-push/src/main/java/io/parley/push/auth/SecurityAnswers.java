package io.parley.push.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.push.web.ApiException;
import io.parley.push.web.ErrorCode;
import io.parley.push.web.ErrorResponses;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The security chain's refusals, in the edge's error body {@code {"code","message"}} and written the way every error
 * answer is ({@link ErrorResponses}: from another thread, never completing on the connection's event loop; see
 * docs/decisions.md): 401 with {@code WWW-Authenticate: Bearer} (and {@code error="invalid_token"} when a token was
 * given), saying only "missing token", "invalid or expired token" or that the session ended; 403 with the rule's
 * reason; 400 for a request the firewall refuses.
 */
final class SecurityAnswers implements ServerAuthenticationEntryPoint, ServerAccessDeniedHandler,
        ServerExchangeRejectedHandler {

    static final String MISSING = "missing token";
    static final String INVALID = "invalid or expired token";

    private final ObjectMapper json;

    SecurityAnswers(ObjectProvider<ObjectMapper> json) {
        this.json = json.getIfAvailable(ObjectMapper::new);
    }

    @Override
    public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException refusal) {
        boolean missing = refusal instanceof AuthenticationCredentialsNotFoundException;
        String message = missing ? MISSING
                : refusal instanceof SessionGuard.SessionEnded ? SessionGuard.ENDED : INVALID;
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE,
                missing ? "Bearer" : "Bearer error=\"invalid_token\"");
        return ErrorResponses.write(exchange, new ApiException(ErrorCode.UNAUTHORIZED, message), json);
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
        return SecurityConfiguration.refusalFor(exchange).flatMap(reason ->
                ErrorResponses.write(exchange, new ApiException(ErrorCode.FORBIDDEN, reason), json));
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, ServerExchangeRejectedException rejected) {
        return ErrorResponses.write(exchange, rejected, json);
    }
}
