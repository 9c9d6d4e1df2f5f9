package io.parley.push.webclient;

import io.parley.media.LocalMediaStore;
import io.parley.media.MediaStore;
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

    /**
     * On media served by the local driver ({@code /media/files/...}): nothing may run or load, even when a file is
     * opened directly; {@code sandbox} gives it an opaque origin besides.
     */
    public static final String MEDIA_CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'";

    /**
     * The web client's policy, with the object store's origin added to {@code img-src}, {@code media-src} and
     * {@code connect-src} when media URLs point there (the {@code s3} driver): nothing else is widened.
     */
    private final String clientPolicy;

    public SecurityHeadersWebFilter(org.springframework.beans.factory.ObjectProvider<MediaStore> media) {
        String origin = media.getIfAvailable(() -> null) == null ? ""
                : media.getObject().origin().map(o -> " " + o).orElse("");
        this.clientPolicy = origin.isEmpty() ? CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY
                .replace("connect-src 'self' ws: wss:", "connect-src 'self' ws: wss:" + origin)
                .replace("img-src 'self' data:", "img-src 'self' data:" + origin + "; media-src 'self'" + origin);
    }

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
            boolean media = exchange.getRequest().getPath().value().startsWith(LocalMediaStore.PATH);
            headers.set("Content-Security-Policy", media ? MEDIA_CONTENT_SECURITY_POLICY : clientPolicy);
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("Referrer-Policy", "no-referrer");
            headers.set("X-Frame-Options", "DENY");
            return Mono.empty();
        });
        return chain.filter(exchange);
    }
}
