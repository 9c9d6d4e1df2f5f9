package io.parley.push.auth;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Demands a valid bearer token on {@code /api/**} (but for registering and logging in, and the public API documents
 * under {@code /api/docs/}) and on the socket handshake {@code /ws}; everything else (the web client's static files)
 * is public. The token comes from {@code Authorization: Bearer <token>} or, on {@code /ws} only, from the query
 * parameter {@code access_token} (browsers cannot set headers on a WebSocket).
 * <p>
 * A request without a valid token is answered 401 {@code {"code":"UNAUTHORIZED","message":...}} with
 * {@code WWW-Authenticate: Bearer}, telling only "missing token" or "invalid or expired token". A valid one
 * continues with an {@link AuthenticatedUser} as the exchange's principal. Verifying is an HMAC and a few
 * comparisons, cheap enough for the event loop.
 */
final class AuthWebFilter implements WebFilter, Ordered {

    /** Early, so nothing protected runs first; leaves room before it for CORS or forwarded-header filters. */
    static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

    static final String MISSING = "missing token";
    static final String INVALID = "invalid or expired token";

    private static final String BEARER = "Bearer ";

    private final TokenService tokens;

    AuthWebFilter(TokenService tokens) {
        this.tokens = tokens;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        List<String> segments = segments(request);
        boolean socket = isSocket(segments);
        if ((!socket && !isProtectedApi(request.getMethod(), segments)) || CorsUtils.isPreFlightRequest(request)) {
            // A CORS preflight carries no credentials by design; it reveals nothing and reaches no controller.
            return chain.filter(exchange);
        }
        Optional<String> token = tokenOf(request, socket);
        if (token.isEmpty()) {
            return unauthorized(exchange, MISSING, "Bearer");
        }
        Optional<AuthenticatedUser> user = tokens.verify(token.get());
        if (user.isEmpty()) {
            return unauthorized(exchange, INVALID, "Bearer error=\"invalid_token\"");
        }
        return chain.filter(exchange.mutate().principal(Mono.just(user.get())).build());
    }

    /**
     * The path's non-empty segments as the handler mappings match them: percent-decoded, matrix variables removed.
     * Deciding on the raw path would let {@code /%61pi/...} or {@code /api;x=1/...} slip past to a protected handler.
     */
    static List<String> segments(ServerHttpRequest request) {
        List<String> segments = new ArrayList<>();
        for (PathContainer.Element element : request.getPath().pathWithinApplication().elements()) {
            if (element instanceof PathContainer.PathSegment segment && !segment.valueToMatch().isEmpty()) {
                segments.add(segment.valueToMatch());
            }
        }
        return segments;
    }

    /** Protection errs wide (any case, any depth); the exemptions below are exact. */
    static boolean isSocket(List<String> segments) {
        return !segments.isEmpty() && segments.get(0).equalsIgnoreCase("ws");
    }

    static boolean isProtectedApi(HttpMethod method, List<String> segments) {
        if (segments.isEmpty() || !segments.get(0).equalsIgnoreCase("api")) {
            return false;
        }
        if (HttpMethod.POST.equals(method) && (segments.equals(List.of("api", "users"))
                || segments.equals(List.of("api", "sessions")))) {
            return false;
        }
        boolean read = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
        return !(read && segments.size() >= 2 && segments.get(0).equals("api") && segments.get(1).equals("docs"));
    }

    private static Optional<String> tokenOf(ServerHttpRequest request, boolean socket) {
        String header = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = header.substring(BEARER.length()).trim();
            if (!token.isEmpty()) {
                return Optional.of(token);
            }
        }
        if (socket) {
            String fromQuery = request.getQueryParams().getFirst("access_token");
            if (fromQuery != null && !fromQuery.isBlank()) {
                return Optional.of(fromQuery.trim());
            }
        }
        return Optional.empty();
    }

    private static Mono<Void> unauthorized(ServerWebExchange exchange, String message, String challenge) {
        ServerHttpResponse response = exchange.getResponse();
        byte[] body = ("{\"code\":\"UNAUTHORIZED\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        response.setStatusCode(HttpStatus.UNAUTHORIZED);
        response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().setContentLength(body.length);
        // Answered from another thread, not synchronously on the connection's event loop: Reactor Netty 1.2.18
        // sometimes stopped answering the next request on a keep-alive connection after a response that completed
        // synchronously (reactor-netty #4188/#4361); 23 of 4,000 calls alternating a bad token with a good one hung.
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)))
                .subscribeOn(Schedulers.parallel());
    }
}
