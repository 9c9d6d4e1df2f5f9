package io.parley.push.audit;

import io.parley.api.wire.ClientInput;
import io.parley.push.auth.SecurityConfiguration;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.security.Principal;

/**
 * Puts the {@link Origin} of an HTTP request (user, {@code http}, client address, trace context) into the Reactor
 * context, after authentication has set the principal. Socket frames get theirs from the socket handler.
 */
@Component
class OriginWebFilter implements WebFilter, Ordered {

    @Override
    public int getOrder() {
        return SecurityConfiguration.AFTER_AUTHENTICATION; // the principal is known only after the security chain
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return exchange.getPrincipal()
                .map(Principal::getName)
                .defaultIfEmpty("")
                .flatMap(userId -> chain.filter(exchange).contextWrite(context -> Origin.http(
                        userId.isEmpty() ? null : userId, exchange.getRequest().getRemoteAddress(),
                        traceparent(exchange)).into(context)));
    }

    /**
     * The request's W3C {@code traceparent} header; one that is malformed is ignored, as W3C Trace Context asks of a
     * receiver (the request is served, untraced or in a trace of its own).
     */
    private static String traceparent(ServerWebExchange exchange) {
        String header = exchange.getRequest().getHeaders().getFirst(Origin.TRACEPARENT);
        return header != null && ClientInput.isTraceparent(header) ? header : null;
    }
}
