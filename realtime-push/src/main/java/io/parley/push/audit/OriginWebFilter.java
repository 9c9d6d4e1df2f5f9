package io.parley.push.audit;

import io.parley.push.auth.SecurityConfiguration;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.security.Principal;

/**
 * Puts the {@link Origin} of an HTTP request (user, {@code http}, client address) into the Reactor context, after
 * authentication has set the principal. Socket frames get theirs from the socket handler.
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
                        userId.isEmpty() ? null : userId, exchange.getRequest().getRemoteAddress()).into(context)));
    }
}
