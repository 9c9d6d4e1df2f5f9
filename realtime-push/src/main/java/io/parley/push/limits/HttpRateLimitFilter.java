package io.parley.push.limits;

import io.parley.push.auth.SecurityConfiguration;
import io.parley.push.web.ApiException;
import io.parley.push.web.ErrorCode;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.security.Principal;

/**
 * Limits authenticated HTTP calls per user (429 with {@code Retry-After}). Runs after authentication, so the user is
 * known; unauthenticated calls (registration, login) have their own throttle in the auth package.
 */
@Component
class HttpRateLimitFilter implements WebFilter, Ordered {

    private final RateLimits limits;

    HttpRateLimitFilter(RateLimits limits) {
        this.limits = limits;
    }

    @Override
    public int getOrder() {
        return SecurityConfiguration.AFTER_AUTHENTICATION; // the principal is known only after the security chain
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().value().startsWith("/api/")) {
            return chain.filter(exchange);
        }
        return exchange.getPrincipal()
                .map(Principal::getName)
                .flatMap(userId -> limits.take(userId, RateLimits.Kind.HTTP)
                        .map(wait -> Mono.<Boolean>error(new ApiException(ErrorCode.RATE_LIMITED,
                                "too many requests; slow down", wait)))
                        .orElse(Mono.just(true)))
                .defaultIfEmpty(true)
                .flatMap(allowed -> chain.filter(exchange));
    }
}
