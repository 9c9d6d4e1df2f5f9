package io.parley.push.auth;

import io.parley.push.EdgePaths;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorityReactiveAuthorizationManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.ReactiveAuthorizationManager;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authorization.AuthorizationContext;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.PathPatternParserServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Who may call what: every path rule of the edge, in one {@link SecurityWebFilterChain}. Registering, logging in, the
 * protocol documents, the web client's files and the health probes are open; every other request, the socket handshake included, needs
 * a valid token (see {@link TokenConverter} for where it may be, {@link TokenAuthenticationManager} for how it is
 * checked); the operator, audit and analytics APIs need a role; a user's own resources are the user's. Rules about a
 * conversation (membership) are the command and query sides' business, answered 403 from there.
 * <p>
 * Paths are matched as the handlers match them (Spring's {@code PathPattern} on the decoded path without matrix
 * variables), and Spring Security's strict firewall refuses the ambiguous ones (encoded slashes, {@code ..},
 * semicolons) before any rule runs, so no spelling of a path reaches a handler past its rule. Refusals are answered
 * by {@link SecurityAnswers} with the edge's usual error body.
 * <p>
 * Stateless: no session, no saved request, no CSRF token (nothing is authenticated by cookie). The security
 * response headers are set by {@code SecurityHeadersWebFilter}, which runs before this chain so that also the answers
 * of the firewall carry them.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
public class SecurityConfiguration {

    /** The order of filters that need the authenticated user: after Spring Security's chain (order -100). */
    public static final int AFTER_AUTHENTICATION = -50;

    /** Open to everybody. */
    static final ServerWebExchangeMatcher PUBLIC = ServerWebExchangeMatchers.matchers(
            ServerWebExchangeMatchers.pathMatchers(HttpMethod.POST, "/api/users", "/api/sessions"),
            // the local media driver's URLs: their HMAC signature is the authority (LocalMediaFiles)
            ServerWebExchangeMatchers.pathMatchers(HttpMethod.PUT, "/media/files/**"),
            read(HttpMethod.GET), read(HttpMethod.HEAD),
            // a CORS preflight carries no credentials by design; it reveals nothing and reaches no controller
            exchange -> CorsUtils.isPreFlightRequest(exchange.getRequest())
                    ? ServerWebExchangeMatcher.MatchResult.match() : ServerWebExchangeMatcher.MatchResult.notMatch());

    /** The socket handshake, where a token may also come as a query parameter. */
    static final ServerWebExchangeMatcher SOCKET = ServerWebExchangeMatchers.pathMatchers(EdgePaths.SOCKET,
            EdgePaths.SOCKET + "/**");

    /** A path rule and what the refused are told. Checked in order; the first whose path matches decides. */
    record Rule(String pattern, ReactiveAuthorizationManager<AuthorizationContext> access, String refusal) {

        ServerWebExchangeMatcher matcher() {
            return new PathPatternParserServerWebExchangeMatcher(pattern);
        }
    }

    static final List<Rule> RULES = List.of(
            new Rule("/api/admin/**", role(Role.ADMIN), "this call needs the ADMIN role"),
            // the probes of load balancers and orchestrators: open, status only; an ADMIN's token (read here, unlike
            // on PUBLIC paths) also shows the components and their details (README, "Health and metrics")
            new Rule(EdgePaths.ACTUATOR + "/health/**",
                    (authentication, context) -> Mono.just(new AuthorizationDecision(true)), "forbidden"),
            new Rule(EdgePaths.ACTUATOR + "/**", role(Role.ADMIN), "this call needs the ADMIN role"),
            new Rule("/api/audit/**", role(Role.AUDITOR), "this call needs the AUDITOR role"),
            new Rule("/api/streams/**", role(Role.ANALYST), "this call needs the ANALYST role"),
            new Rule("/api/users/{userId}/data", selfOr(Role.ADMIN),
                    "only the user themself or an ADMIN may erase a user's data"),
            new Rule("/api/users/{userId}/{part}/**", selfOr(null),
                    "only the user themself may do this"));

    @Bean
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, TokenAuthenticationManager tokens,
                                                  SecurityAnswers answers, ManagementPort managementPort) {
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .headers(ServerHttpSecurity.HeaderSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .authorizeExchange(exchanges -> {
                    exchanges.matchers(PUBLIC).permitAll();
                    exchanges.matchers(managementPort).permitAll();
                    for (Rule rule : RULES) {
                        exchanges.matchers(rule.matcher()).access(rule.access());
                    }
                    exchanges.anyExchange().authenticated();
                })
                .oauth2ResourceServer(server -> server
                        .authenticationManagerResolver(exchange -> Mono.just(tokens))
                        .bearerTokenConverter(new TokenConverter())
                        .authenticationEntryPoint(answers)
                        .accessDeniedHandler(answers))
                .exceptionHandling(handling -> handling
                        .authenticationEntryPoint(answers)
                        .accessDeniedHandler(answers))
                .build();
    }

    @Bean
    ManagementPort parleyManagementPortMatcher() {
        return new ManagementPort();
    }

    /**
     * Requests to the separate management port ({@code management.server.port}, README "Health and metrics"): the
     * operator put Actuator there to reach it from a private network without a token. Spring Boot's management
     * context of a WebFlux application runs this chain too, so without this the scrape would need an ADMIN token
     * there as well. The port is learnt when the management server starts; without one nothing matches.
     */
    static final class ManagementPort implements ServerWebExchangeMatcher,
            org.springframework.context.ApplicationListener<org.springframework.boot.web.context.WebServerInitializedEvent> {

        private volatile int port = -1;

        @Override
        public void onApplicationEvent(org.springframework.boot.web.context.WebServerInitializedEvent event) {
            if ("management".equals(event.getApplicationContext().getServerNamespace())) {
                port = event.getWebServer().getPort();
            }
        }

        @Override
        public Mono<MatchResult> matches(ServerWebExchange exchange) {
            java.net.InetSocketAddress local = exchange.getRequest().getLocalAddress();
            return port > 0 && local != null && local.getPort() == port ? MatchResult.match() : MatchResult.notMatch();
        }
    }

    /** What the refused are told on {@code exchange}'s path. */
    static Mono<String> refusalFor(ServerWebExchange exchange) {
        return Flux.fromIterable(RULES)
                .concatMap(rule -> rule.matcher().matches(exchange)
                        .filter(ServerWebExchangeMatcher.MatchResult::isMatch)
                        .map(match -> rule.refusal()))
                .next()
                .defaultIfEmpty("forbidden");
    }

    /** Reads of the protocol documents and of the web client's files. */
    private static ServerWebExchangeMatcher read(HttpMethod method) {
        return ServerWebExchangeMatchers.pathMatchers(method, "/api/docs", "/api/docs/**", "/", "/index.html",
                "/app.css", "/favicon.svg", "/js/**", "/sw.js", "/media/files/**");
    }

    private static ReactiveAuthorizationManager<AuthorizationContext> role(Role role) {
        return AuthorityReactiveAuthorizationManager.hasAuthority(ParleyAuthentication.authority(role));
    }

    /** The user named by the path's {@code userId}, or (when not null) a holder of {@code role}. */
    private static ReactiveAuthorizationManager<AuthorizationContext> selfOr(Role role) {
        return (authentication, context) -> authentication
                .filter(Authentication::isAuthenticated)
                .map(caller -> caller.getName().equals(context.getVariables().get("userId"))
                        || role != null && caller.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                        .anyMatch(ParleyAuthentication.authority(role)::equals))
                .defaultIfEmpty(false)
                .map(AuthorizationDecision::new);
    }
}
