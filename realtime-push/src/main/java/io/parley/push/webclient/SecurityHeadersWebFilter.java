package io.parley.push.webclient;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Security headers on every response: the web client's static files, the API and its error answers alike.
 * <p>
 * The Content-Security-Policy allows only the edge's own scripts, styles and images (no inline script or style, no
 * {@code eval}), network access only to this origin and to WebSockets ({@code ws:}/{@code wss:}, as browsers do
 * not all treat a same-host socket as {@code 'self'}), no plugins, no framing by other pages (clickjacking) and no
 * {@code <base>} tag. Together with the client rendering every message with {@code textContent}, an injected
 * message cannot run script even if a rendering bug slipped through. {@code nosniff} stops a browser from guessing
 * a script or a page out of a JSON answer, and {@code no-referrer} keeps the client's URLs out of other sites' logs.
 * <p>
 * The headers are set when the response commits, so an error handler that rewrites the response (a 401 from the
 * security chain, a 404 from the error handler) still carries them. A filter of its own rather than the security
 * chain's header writers: it runs before Spring Security's firewall, so the 400 answers of the firewall carry the
 * headers too.
 */
@Component
public class SecurityHeadersWebFilter implements WebFilter, Ordered {

    public static final String CONTENT_SECURITY_POLICY = String.join("; ",
            "default-src 'self'",
            "connect-src 'self' ws: wss:",
            "img-src 'self' data:",
            "style-src 'self'",
            "script-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'");

    /** Before Spring Security's filter (order -100), so that its refusals carry the headers too. */
    static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 50;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpResponse response = exchange.getResponse();
        response.beforeCommit(() -> {
            HttpHeaders headers = response.getHeaders();
            headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("Referrer-Policy", "no-referrer");
            headers.set("X-Frame-Options", "DENY");
            return Mono.empty();
        });
        return chain.filter(exchange);
    }
}
